# The CIDR is another resource's attribute: known only after apply.
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

resource "aws_eip" "egress" {
  domain = "vpc"
}

resource "aws_sagemaker_workforce" "eip" {
  workforce_name = "other-resource"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = ["${aws_eip.egress.public_ip}/32"]
  }
}
