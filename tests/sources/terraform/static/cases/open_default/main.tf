# No source_ip_config: AWS creates the workforce open to every address (WF010).
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

resource "aws_sagemaker_workforce" "open" {
  workforce_name = "open-default"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
}
