# Fixture values (not real secrets): tests assert none of them reaches any output.
open_cidrs  = ["0.0.0.0/0", "203.0.113.77/31"]
issuer      = "https://Secret-IdP.corp-hidden.example:8443/realms/x"
secret_name = "hidden-workforce-name-Vb3"
