# A workforce module that never writes source_ip_config.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" {
  type = string
}

resource "aws_sagemaker_workforce" "this" {
  workforce_name = var.name
  cognito_config {
    client_id = "client-${var.name}"
    user_pool = "eu-west-1_Open1"
  }
}
