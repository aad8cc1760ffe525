# Locals with concat, cidrsubnet, a for expression and a conditional.
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

variable "environment" {
  type    = string
  default = "prod"
}

locals {
  office  = ["198.51.100.0/24"]
  vpn     = [for n in [1, 2] : cidrsubnet("10.40.0.0/16", 8, n)]
  extra   = var.environment == "prod" ? [] : ["0.0.0.0/0"]
  allowed = distinct(concat(local.office, local.vpn, local.extra))
}

resource "aws_sagemaker_workforce" "locals" {
  workforce_name = format("locals-%s", var.environment)
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = local.allowed
  }
}
