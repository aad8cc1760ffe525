# count = 0 gives no instance; count = 2 gives [0] and [1].
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

resource "aws_sagemaker_workforce" "none" {
  count          = 0
  workforce_name = "none-${count.index}"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
}

resource "aws_sagemaker_workforce" "pair" {
  count          = 2
  workforce_name = "pair-${count.index}"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = [cidrsubnet("10.90.0.0/16", 8, count.index)]
  }
}
