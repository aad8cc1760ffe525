# A moved block renames an existing workforce: the plan updates it under its new address.
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

moved {
  from = aws_sagemaker_workforce.old
  to   = aws_sagemaker_workforce.renamed
}

resource "aws_sagemaker_workforce" "renamed" {
  workforce_name = "moved"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = ["0.0.0.0/0"]
  }
}
