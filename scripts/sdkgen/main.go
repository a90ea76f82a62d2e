// sdkgen writes the Node.js, Python and Go SDKs of a Pulumi package schema with Pulumi's own code generators
// (github.com/pulumi/pulumi/pkg/v3/codegen, the code `pulumi package gen-sdk` reaches through each language
// host; the hosts themselves are not available here). Used by scripts/gen-sdks:
//
//	sdkgen -schema sdk/generated/schema.json -out sdk/generated
//
// writes <out>/nodejs, <out>/python and <out>/go, each removed first so deleted files do not linger.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"pulumi-access-tokens/scripts/sdkgen/sdkfiles"
)

// The tool name the generators print in their "do not edit" headers.
const tool = "pulumi-access-tokens sdkgen"

// The Pulumi Go SDK the generated Go module requires (the version of the CLI this repository builds).
const goSDKVersion = "v3.248.0"

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	out := flag.String("out", "", "the directory to write <language>/ into")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fail(errors.New("usage: sdkgen -schema <schema.json> -out <dir>"))
	}
	raw, err := os.ReadFile(*schemaPath)
	if err != nil {
		fail(err)
	}
	for _, language := range []string{"nodejs", "python", "go"} {
		// Bound afresh for each language: the generators record their language's settings on the package.
		pkg, err := bind(raw)
		if err != nil {
			fail(fmt.Errorf("%s: %w", *schemaPath, err))
		}
		files, err := generate(language, pkg)
		if err != nil {
			fail(fmt.Errorf("generating the %s SDK: %w", language, err))
		}
		if err := sdkfiles.WriteTree(filepath.Join(*out, language), files); err != nil {
			fail(err)
		}
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

func generate(language string, pkg *schema.Package) (map[string][]byte, error) {
	switch language {
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noOtherPackages{})
	case "python":
		return python.GeneratePackage(tool, pkg, nil, noOtherPackages{})
	default:
		files, err := gogen.GeneratePackage(tool, pkg, nil)
		if err == nil {
			files["go.mod"], err = goMod(pkg.Language["go"])
		}
		return files, err
	}
}

// goMod declares the generated Go SDK a module of its own (the generator writes one only for packages that
// set meta.supportPack, and then with an old SDK version): the module is importBasePath's parent.
func goMod(settings any) ([]byte, error) {
	info, ok := settings.(gogen.GoPackageInfo)
	if !ok || info.ImportBasePath == "" {
		return nil, errors.New("the schema's language.go.importBasePath is missing")
	}
	return []byte(fmt.Sprintf("module %s\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n",
		filepath.Dir(info.ImportBasePath), goSDKVersion)), nil
}

// noOtherPackages is the schema loader: this package's schema refers to no other package.
type noOtherPackages struct{}

func (noOtherPackages) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q; sdkgen loads no other package", name)
}

func (l noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l noOtherPackages) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(name)
}

func (l noOtherPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}

func fail(err error) {
	sdkfiles.Fail("sdkgen", err)
}
