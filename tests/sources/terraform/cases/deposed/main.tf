# A create_before_destroy replacement that stopped half way left the previous object "deposed":
# the state holds it beside the current object, under the same address.

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

resource "aws_sagemaker_workforce" "main" {
  workforce_name = "main"
  cognito_config {
    client_id = "client-main"
    user_pool = "eu-west-1_Main1"
  }
  source_ip_config {
    cidrs = ["10.4.0.0/16"]
  }
  lifecycle {
    create_before_destroy = true
  }
}
