# terraform.tfvars sets the CIDRs the default would keep narrow.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "cidrs" {
  type    = list(string)
  default = ["10.20.0.0/16"]
}

resource "aws_sagemaker_workforce" "tfvars" {
  workforce_name = "tfvars-override"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}
