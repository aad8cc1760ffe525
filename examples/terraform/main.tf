# Private workforces as a team would write them (AWS provider 5.x):
# - root Cognito workforces: "annotators" (count; the plan adds 0.0.0.0/0 to it), "contractors"
#   (no source_ip_config block: AWS creates it with no IP restriction) and "partners" (CIDRs
#   from a sensitive variable);
# - OIDC workforces from ./modules/labeling, once per team (module for_each): "ap" is created,
#   "ca" replaced (its name changes), "jp" unchanged, "sa" removed from the map (deleted);
# - the same module for a vendor in us-east-1 (count, aliased provider), whose CIDR comes from
#   an Elastic IP created in the same apply (known only after apply).
#
# plan.json and state.json next to this file were written by Terraform 1.11 and the AWS provider
# 5.100 from this configuration (tests/sources/terraform_plans.py); try
#   wfcheck scan --terraform examples/terraform/plan.json --format sarif
# and the findings point at the resource blocks below and in modules/labeling/main.tf.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "partner_cidrs" {
  description = "Partner egress ranges, kept out of logs"
  type        = list(string)
  sensitive   = true
}

variable "labeling_client_secret" {
  type      = string
  sensitive = true
}

variable "vendor_client_secret" {
  type      = string
  sensitive = true
}

resource "aws_sagemaker_workforce" "annotators" {
  count          = 1
  workforce_name = "annotators"

  cognito_config {
    client_id = "4p1ctfu2a1b2c3d4e5f6g7h8i9"
    user_pool = "eu-west-1_AbC123xyz"
  }

  source_ip_config {
    # 0.0.0.0/0 was added "temporarily" for a contractor: the plan shows the update.
    cidrs = ["10.20.0.0/16", "0.0.0.0/0"]
  }
}

resource "aws_sagemaker_workforce" "contractors" {
  workforce_name = "contractors"

  cognito_config {
    client_id = "7q2dguv3b2c3d4e5f6g7h8i9j0"
    user_pool = "eu-west-1_Def456uvw"
  }
  # no source_ip_config: workers may sign in from any IP address
}

resource "aws_sagemaker_workforce" "partners" {
  workforce_name = "partners"

  cognito_config {
    client_id = "1a2b3c4d5e6f7g8h9i0j1k2l3m"
    user_pool = "eu-west-1_Ghi789rst"
  }

  source_ip_config {
    cidrs = var.partner_cidrs
  }
}

module "labeling" {
  source   = "./modules/labeling"
  for_each = local.teams

  name          = each.value.name
  issuer        = each.value.issuer
  cidrs         = each.value.cidrs
  scope         = try(each.value.scope, "openid email profile")
  vpc           = try(each.value.vpc, null)
  client_secret = var.labeling_client_secret
}

locals {
  teams = {
    # "sa" was removed from this map: the plan deletes that workforce.
    ap = {
      name   = "ap-labeling"
      issuer = "https://login.example.com"
      cidrs  = ["203.0.113.0/24"]
      vpc = {
        vpc_id             = "vpc-0a1b2c3d4e5f60718"
        subnets            = ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
        security_group_ids = ["sg-0a1b2c3d4e5f6071b"]
      }
    }
    ca = {
      name   = "ca-labelers" # was "ca-labeling": a new name forces a replacement
      issuer = "https://login.example.com"
      scope  = "email profile" # no openid: not an OpenID Connect sign-in
      cidrs  = ["198.51.100.0/24"]
    }
    jp = {
      name   = "jp-labeling"
      issuer = "https://login.example.com"
      cidrs  = ["192.0.2.0/24"]
    }
  }
}

resource "aws_eip" "vendor_egress" {
  provider = aws.us
  domain   = "vpc"
}

module "vendor" {
  source = "./modules/labeling"
  count  = 1
  providers = {
    aws = aws.us
  }

  name          = "vendor"
  issuer        = "https://sso.vendor.example.net"
  cidrs         = ["${aws_eip.vendor_egress.public_ip}/32"] # known only after apply
  client_secret = var.vendor_client_secret
}
