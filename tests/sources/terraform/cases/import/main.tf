# Workforces that already exist: imported (import block), unchanged (no-op), updated, and one
# Terraform stops managing (removed with destroy = false: forget).

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

import {
  to = aws_sagemaker_workforce.imported
  id = "imported"
}

resource "aws_sagemaker_workforce" "imported" {
  workforce_name = "imported"
  cognito_config {
    client_id = "client-imported"
    user_pool = "eu-west-1_Imported1"
  }
  source_ip_config {
    cidrs = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_workforce" "kept" {
  workforce_name = "kept"
  cognito_config {
    client_id = "client-kept"
    user_pool = "us-east-1_Kept1"
  }
  source_ip_config {
    cidrs = ["10.9.0.0/16"]
  }
}

resource "aws_sagemaker_workforce" "changed" {
  workforce_name = "changed"
  cognito_config {
    client_id = "client-changed"
    user_pool = "eu-west-1_Changed1"
  }
  source_ip_config {
    cidrs = ["10.8.0.0/16", "10.8.1.0/24"]
  }
}

removed {
  from = aws_sagemaker_workforce.old
  lifecycle {
    destroy = false
  }
}
