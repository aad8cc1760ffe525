# CIDRs from a variable's default, the workforce name from a template.
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

variable "team" {
  type    = string
  default = "labelers"
}

variable "cidrs" {
  type    = list(string)
  default = ["10.20.0.0/16", "192.168.0.0/24"]
}

resource "aws_sagemaker_workforce" "team" {
  workforce_name = "${var.team}-wf"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}
