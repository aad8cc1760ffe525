# The name comes from a data source: the plan knows it, the sources do not.
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

data "aws_partition" "current" {}

resource "aws_sagemaker_workforce" "data" {
  workforce_name = "data-${data.aws_partition.current.partition}"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = ["10.50.0.0/16"]
  }
}
