# A local module called with for_each; the caller's CIDRs win over the child's default.
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

locals {
  teams = {
    us = ["10.1.0.0/16"]
    eu = ["0.0.0.0/0"]
  }
}

module "teams" {
  source   = "./modules/workforce"
  for_each = local.teams
  name     = "team-${each.key}"
  cidrs    = each.value
}
