# A dynamic source_ip_config whose for_each holds one element.
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

variable "restrict" {
  type    = bool
  default = true
}

resource "aws_sagemaker_workforce" "dynamic" {
  workforce_name = "dynamic-on"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  dynamic "source_ip_config" {
    for_each = var.restrict ? [["10.60.0.0/16", "0.0.0.0/0"]] : []
    iterator = ips
    content {
      cidrs = ips.value
    }
  }
}
