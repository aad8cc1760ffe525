# A workforce in a VPC, values from an object variable with optional() defaults.
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

variable "network" {
  type = object({
    vpc_id             = string
    subnets            = list(string)
    security_group_ids = optional(list(string), ["sg-0123456789abcdef0"])
  })
  default = {
    vpc_id  = "vpc-0123456789abcdef0"
    subnets = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  }
}

resource "aws_sagemaker_workforce" "vpc" {
  workforce_name = "vpc"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = ["10.70.0.0/16"]
  }
  workforce_vpc_config {
    vpc_id             = var.network.vpc_id
    subnets            = var.network.subnets
    security_group_ids = var.network.security_group_ids
  }
}
