# CIDRs from another configuration's state (terraform_remote_state): only the plan reads it.
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

data "terraform_remote_state" "network" {
  backend = "local"
  config = {
    path = "${path.module}/network.tfstate"
  }
}

resource "aws_sagemaker_workforce" "remote" {
  workforce_name = "remote-state"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = data.terraform_remote_state.network.outputs.office_cidrs
  }
}
