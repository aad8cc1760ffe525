# OIDC private workforces, one per entry of var.workforces.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "workforces" {
  type = map(object({
    name            = string
    region          = optional(string)
    issuer          = string
    logout_endpoint = optional(string)
    cidrs           = list(string)
    vpc = optional(object({
      vpc_id             = string
      subnets            = list(string)
      security_group_ids = list(string)
    }))
  }))
}

variable "client_id" {
  type    = string
  default = "wfcheck-labeling"
}

variable "client_secret" {
  type      = string
  sensitive = true
}

resource "aws_sagemaker_workforce" "main" {
  for_each = var.workforces

  # AWS provider v6: the workforce's own region; the provider's region when null.
  region         = each.value.region
  workforce_name = each.value.name

  oidc_config {
    client_id              = var.client_id
    client_secret          = var.client_secret
    issuer                 = each.value.issuer
    authorization_endpoint = "${each.value.issuer}/oauth2/authorize"
    token_endpoint         = "${each.value.issuer}/oauth2/token"
    user_info_endpoint     = "${each.value.issuer}/oauth2/userinfo"
    logout_endpoint        = coalesce(each.value.logout_endpoint, "${each.value.issuer}/logout")
    jwks_uri               = "${each.value.issuer}/.well-known/jwks.json"
    scope                  = "openid email profile"
  }

  source_ip_config {
    cidrs = each.value.cidrs
  }

  dynamic "workforce_vpc_config" {
    for_each = each.value.vpc == null ? [] : [each.value.vpc]
    content {
      vpc_id             = workforce_vpc_config.value.vpc_id
      subnets            = workforce_vpc_config.value.subnets
      security_group_ids = workforce_vpc_config.value.security_group_ids
    }
  }
}

output "arns" {
  value = { for key, workforce in aws_sagemaker_workforce.main : key => workforce.arn }
}
