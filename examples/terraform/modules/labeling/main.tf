# One OIDC private workforce. Called once per team (for_each) and for the vendor (count).

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

variable "issuer" {
  type = string
}

variable "scope" {
  type    = string
  default = "openid email profile"
}

variable "cidrs" {
  type = list(string)
}

variable "vpc" {
  type = object({
    vpc_id             = string
    subnets            = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "client_id" {
  type    = string
  default = "wfcheck-labeling"
}

variable "client_secret" {
  type      = string
  sensitive = true
}

resource "aws_sagemaker_workforce" "this" {
  workforce_name = var.name

  oidc_config {
    client_id              = var.client_id
    client_secret          = var.client_secret
    issuer                 = var.issuer
    authorization_endpoint = "${var.issuer}/oauth2/authorize"
    token_endpoint         = "${var.issuer}/oauth2/token"
    user_info_endpoint     = "${var.issuer}/oauth2/userinfo"
    logout_endpoint        = "${var.issuer}/logout"
    jwks_uri               = "${var.issuer}/.well-known/jwks.json"
    scope                  = var.scope
  }

  source_ip_config {
    cidrs = var.cidrs
  }

  dynamic "workforce_vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      vpc_id             = workforce_vpc_config.value.vpc_id
      subnets            = workforce_vpc_config.value.subnets
      security_group_ids = workforce_vpc_config.value.security_group_ids
    }
  }
}

output "arn" {
  value = aws_sagemaker_workforce.this.arn
}
