# Two kinds of private workforce, as a team would write them:
# - a root Cognito workforce in the default region (count toggles it);
# - OIDC workforces from the labeling module (for_each over a map), once with the default
#   provider and once more, via count, with the us-east-1 provider passed into the module.
#
# `terraform plan -out plan.out && terraform show -json plan.out > plan.json` on this
# configuration gives plan.json (pretty-printed here; Terraform writes one line).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
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

module "labeling" {
  source        = "./modules/labeling"
  client_secret = var.labeling_client_secret

  workforces = {
    # "sa" was removed from this map: the plan deletes that workforce.
    ap = {
      name   = "ap-labeling"
      region = "ap-southeast-2"
      issuer = "https://login.example.com"
      cidrs  = ["203.0.113.0/24"]
      vpc = {
        vpc_id             = "vpc-0a1b2c3d4e5f60718"
        subnets            = ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
        security_group_ids = ["sg-0a1b2c3d4e5f6071b"]
      }
    }
    ca = {
      name            = "ca-labelers" # was "ca-labeling": the name forces a replacement
      region          = "ca-central-1"
      issuer          = "https://login.example.com"
      logout_endpoint = "http://login.example.com/logout"
      cidrs           = ["198.51.100.0/24"]
    }
    jp = {
      name   = "jp-labeling"
      region = "ap-northeast-1"
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
  client_secret = var.vendor_client_secret

  workforces = {
    us = {
      name   = "vendor"
      issuer = "https://sso.vendor.example.net"
      # The vendor's egress address is known only after apply.
      cidrs = ["${aws_eip.vendor_egress.public_ip}/32"]
    }
  }
}
