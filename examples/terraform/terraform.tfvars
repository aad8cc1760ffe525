# Example values (not real secrets). terraform show -json prints sensitive values in clear text;
# wfcheck never does.
partner_cidrs          = ["0.0.0.0/0"]
labeling_client_secret = "labeling-client-secret-2f8d6c1a9e"
vendor_client_secret   = "vendor-client-secret-5b7e3a0c4d"
