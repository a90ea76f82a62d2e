module pulumi-access-tokens/scripts/sdkgen/sdkfiles

go 1.25
