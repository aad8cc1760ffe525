# A sensitive variable holds the open CIDR: evaluated, never shown.
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
  type      = list(string)
  sensitive = true
}

resource "aws_sagemaker_workforce" "secret" {
  workforce_name = "sensitive-variable"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}
