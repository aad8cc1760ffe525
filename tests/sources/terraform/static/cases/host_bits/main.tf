# 10.1.2.3/0: host bits set, and still every address.
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

resource "aws_sagemaker_workforce" "host_bits" {
  workforce_name = "host-bits"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = ["10.1.2.3/0"]
  }
}
