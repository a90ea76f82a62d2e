// sdkgen-dotnet writes the C# SDK of a Pulumi package schema with Pulumi's .NET code generator
// (github.com/pulumi/pulumi/pkg/v3/codegen/dotnet). It is a module of its own, apart from scripts/sdkgen,
// because that generator is gone from pkg/v3 after v3.228.0 (it moved to pulumi/pulumi-dotnet, which the Go
// module proxy does not serve) while scripts/sdkgen needs v3.248.0. Used by scripts/gen-sdks:
//
//	sdkgen-dotnet -schema sdk/generated/schema.json -out sdk/generated
//
// writes <out>/dotnet, removed first so deleted files do not linger. The generator downloads the package icon
// (logo.png of the NuGet package) when the schema names no logoUrl; here it gets this directory's logo.png
// instead, and no request leaves the process.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"pulumi-access-tokens/scripts/sdkgen/sdkfiles"
)

// The tool name the generator prints in its "do not edit" headers (the same as scripts/sdkgen's).
const tool = "pulumi-access-tokens sdkgen"

// The package icon, in place of the Pulumi logo the generator would download.
//
//go:embed logo.png
var logo []byte

// The file the generator's default icon URL names (pkg/codegen/dotnet getLogo): its only request.
const defaultLogoFile = "pulumi_logo_64x64.png"

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	out := flag.String("out", "", "the directory to write dotnet/ into")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fail(errors.New("usage: sdkgen-dotnet -schema <schema.json> -out <dir>"))
	}
	raw, err := os.ReadFile(*schemaPath)
	if err != nil {
		fail(err)
	}
	http.DefaultClient.Transport = offline{}
	pkg, err := bind(raw)
	if err != nil {
		fail(fmt.Errorf("%s: %w", *schemaPath, err))
	}
	files, err := dotnet.GeneratePackage(tool, pkg, nil, nil)
	if err != nil {
		fail(fmt.Errorf("generating the C# SDK: %w", err))
	}
	if err := sdkfiles.WriteTree(filepath.Join(*out, "dotnet"), files); err != nil {
		fail(err)
	}
}

func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

// noOtherPackages is the schema loader: this package's schema refers to no other package. (scripts/sdkgen has
// the same loader over v3.248.0's schema types; the types differ, so it cannot be shared.)
type noOtherPackages struct{}

func (noOtherPackages) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q; sdkgen-dotnet loads no other package", name)
}

func (l noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

// offline answers the generator's request for its default icon with logo.png and refuses any other request.
type offline struct{}

func (offline) RoundTrip(request *http.Request) (*http.Response, error) {
	if request.Method != http.MethodGet || !strings.HasSuffix(request.URL.Path, "/"+defaultLogoFile) {
		return nil, fmt.Errorf("sdkgen-dotnet makes no network requests (asked for %s)", request.URL)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(logo)),
		ContentLength: int64(len(logo)),
		Request:       request,
	}, nil
}

func fail(err error) {
	sdkfiles.Fail("sdkgen-dotnet", err)
}
