package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"math"
	"math/big"
	mathrand "math/rand"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// kind describes one resource type: its input names (all of them force a replacement), its
// generated outputs, validation/defaults, and how to generate the value.
type kind struct {
	inputs  []string
	outputs []string
	check   func(resource.PropertyMap) [][2]string
	create  func(in, out resource.PropertyMap) (id string, err error)
}

var kinds = map[string]*kind{
	"random:index/randomString:RandomString": {
		inputs: []string{"keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper",
			"number", "numeric", "overrideSpecial", "special", "upper"},
		outputs: []string{"result"},
		check:   checkString,
		create:  createString,
	},
	"random:index/randomPet:RandomPet": {
		inputs:  []string{"keepers", "length", "prefix", "separator"},
		outputs: []string{}, // the pet name is the resource id
		check:   checkPet,
		create:  createPet,
	},
	"random:index/randomId:RandomId": {
		inputs:  []string{"byteLength", "keepers", "prefix"},
		outputs: []string{"b64Std", "b64Url", "dec", "hex"},
		check:   checkID,
		create:  createID,
	},
	"random:index/randomInteger:RandomInteger": {
		inputs:  []string{"keepers", "max", "min", "seed"},
		outputs: []string{"result"},
		check:   checkInteger,
		create:  createInteger,
	},
}

func kindOf(urn string) (*kind, error) {
	typ := string(resource.URN(urn).Type())
	if k, ok := kinds[typ]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown resource type %q: this minimal random provider implements "+
		"RandomString, RandomPet, RandomId and RandomInteger only", typ)
}

// setDefault fills an absent input; a present (possibly unknown) value is left alone.
func setDefault(m resource.PropertyMap, key string, v resource.PropertyValue) {
	if _, ok := m[resource.PropertyKey(key)]; !ok {
		m[resource.PropertyKey(key)] = v
	}
}

// known returns the value of an input if it is present and known.
func known(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() || v.ContainsUnknowns() {
		return resource.PropertyValue{}, false
	}
	return v, true
}

func intInput(m resource.PropertyMap, key string) (int, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsNumber() {
		return 0, false
	}
	return int(v.NumberValue()), true
}

func boolInput(m resource.PropertyMap, key string) bool {
	v, ok := known(m, key)
	return ok && v.IsBool() && v.BoolValue()
}

func stringInput(m resource.PropertyMap, key string) string {
	if v, ok := known(m, key); ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

// requireNumber reports a missing or non-numeric required input.
func requireNumber(m resource.PropertyMap, key string, min int) [][2]string {
	v, ok := m[resource.PropertyKey(key)]
	switch {
	case !ok || v.IsNull():
		return [][2]string{{key, fmt.Sprintf("Missing required argument %q", key)}}
	case v.ContainsUnknowns():
		return nil
	case !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()):
		return [][2]string{{key, key + " must be a whole number"}}
	case int(v.NumberValue()) < min:
		return [][2]string{{key, fmt.Sprintf("%s must be at least %d", key, min)}}
	}
	return nil
}

// --- RandomString --------------------------------------------------------------------------

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

func checkString(m resource.PropertyMap) [][2]string {
	// `number` is the deprecated spelling of `numeric`; the provider keeps both in step.
	if v, ok := m["numeric"]; ok {
		setDefault(m, "number", v)
	} else if v, ok := m["number"]; ok {
		m["numeric"] = v
	}
	for _, key := range []string{"lower", "upper", "numeric", "number", "special"} {
		setDefault(m, key, resource.NewBoolProperty(true))
	}
	for _, key := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		setDefault(m, key, resource.NewNumberProperty(0))
	}
	failures := requireNumber(m, "length", 1)
	if length, ok := intInput(m, "length"); ok && len(failures) == 0 {
		sum := 0
		for _, key := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
			n, _ := intInput(m, key)
			sum += n
		}
		if sum > length {
			failures = append(failures, [2]string{"length",
				fmt.Sprintf("length (%d) must be at least the sum of the min* inputs (%d)", length, sum)})
		}
	}
	return failures
}

func createString(in, out resource.PropertyMap) (string, error) {
	length, _ := intInput(in, "length")
	special := specialChars
	if s := stringInput(in, "overrideSpecial"); s != "" {
		special = s
	}
	classes := []struct {
		chars string
		on    bool
		min   string
	}{
		{lowerChars, boolInput(in, "lower"), "minLower"},
		{upperChars, boolInput(in, "upper"), "minUpper"},
		{numericChars, boolInput(in, "numeric"), "minNumeric"},
		{special, boolInput(in, "special"), "minSpecial"},
	}
	var all string
	var result []byte
	for _, c := range classes {
		if !c.on {
			continue
		}
		all += c.chars
		n, _ := intInput(in, c.min)
		for range n {
			result = append(result, pick(c.chars))
		}
	}
	if all == "" {
		return "", fmt.Errorf("at least one of lower, upper, numeric and special must be true")
	}
	for len(result) < length {
		result = append(result, pick(all))
	}
	// Shuffle so the mandatory characters are not always first.
	for i := len(result) - 1; i > 0; i-- {
		j := randInt(i + 1)
		result[i], result[j] = result[j], result[i]
	}
	out["result"] = resource.NewStringProperty(string(result))
	return string(result), nil
}

// --- RandomPet -----------------------------------------------------------------------------

// Shorter word lists than the real provider's (petname), which only makes collisions a bit
// more likely; combine with RandomString/RandomId where uniqueness matters.
var (
	adverbs = strings.Fields(`abnormally absolutely accurately actively actually adequately
		admittedly adversely allegedly amazingly annually apparently arguably badly barely
		basically blatantly blindly briefly brightly broadly carefully centrally certainly
		cheaply cleanly clearly closely commonly completely constantly correctly currently
		daily deadly deeply definitely deftly directly discretely eagerly early easily
		evenly evidently exactly explicitly fairly finally firmly formally freely frankly
		fully gently genuinely gladly globally gradually greatly happily hardly heartily
		highly honestly hugely ideally immensely infinitely jointly kindly largely lately
		legally lightly likely literally loudly luckily mainly manually markedly merely
		mildly mostly namely nationally naturally nearly neatly newly nicely notably openly
		partly perfectly physically plainly politely possibly presently promptly
		properly publicly quickly quietly rapidly rarely readily really recently regularly
		remarkably repeatedly safely secondly selectively separately seriously sharply
		simply slightly slowly smoothly softly solely specially stably steadily strangely
		strictly strongly subtly suddenly supposedly surely swiftly terminally thankfully
		thoroughly tightly totally truly typically ultimately uniquely usefully usually
		vastly verbally vertically virtually visually vitally warmly weekly wholly widely
		wildly willingly wisely`)
	adjectives = strings.Fields(`able above absolute accepted accurate ace active actual
		adapted adapting adequate adjusted advanced alert alive allowed allowing amazed
		amazing ample amused amusing apparent apt arriving assured awake aware balanced
		becoming beloved better big blessed bold boss brave brief bright bursting busy calm
		capable capital careful caring casual causal central certain champion charmed
		charming cheerful chief choice civil classic clean clear clever climbing close
		closing coherent comic communal complete composed concise concrete content cool
		correct cosmic crack creative credible crisp crucial cuddly cunning curious current
		cute daring darling dashing dear decent deciding deep definite delicate desired
		destined devoted direct discrete distinct diverse divine dominant driven driving
		dynamic eager easy electric elegant emerging eminent enabled enabling endless engaged
		engaging enhanced enjoyed enormous enough epic equal equipped eternal ethical evident
		evolved evolving exact excited exciting exotic expert factual fair faithful famous
		fancy fast feasible fine finer firm first fit fitting fleet flexible flowing fluent
		flying fond frank free fresh full fun funny game generous gentle genuine giving glad
		glorious glowing golden good gorgeous grand grateful great growing grown guided
		guiding handy happy hardy harmless healthy helped helpful helping heroic hip holy
		honest hopeful hot huge humane humble humorous ideal immense immortal immune improved
		in included infinite informed innocent inspired integral intense intent internal
		intimate inviting joint just keen key kind knowing known large lasting leading
		learning legal legible lenient liberal light liked literate live living logical loved
		loving loyal lucky magical magnetic main major many massive master mature maximum
		measured meet merry mighty mint model modern modest moral more moved moving musical
		mutual national native natural nearby neat needed neutral new next nice noble normal
		notable noted novel obliging on one open optimal optimum organic oriented outgoing
		patient peaceful perfect pet picked pleasant pleased pleasing poetic polished polite
		popular positive possible powerful precious precise premium prepared present pretty
		primary prime pro probable profound promoted prompt proper proud proven pumped pure
		quality quick quiet rapid rare rational ready real refined regular related relative
		relaxed relaxing relevant relieved renewed renewing resolved rested rich right robust
		romantic ruling sacred safe saved saving secure select selected sensible set settled
		settling sharing sharp shining simple sincere singular skilled smart smashing smiling
		smooth social solid sought sound special splendid square stable star steady sterling
		still stirred stirring striking strong stunning subtle suitable suited summary sunny
		super superb supreme sure sweeping sweet talented teaching tender thankful thorough
		tidy tight together tolerant top topical tough touched touching tops true
		trusted trusting trusty ultimate unbiased uncommon unified unique united up upright
		usable useful valid valued vast verified viable vital vocal wanted warm wealthy
		welcome well whole willing winning wired wise witty wondrous workable working worthy`)
	names = strings.Fields(`aardvark adder akita alien alpaca anchovy anemone ant anteater
		antelope ape arachnid asp baboon badger barnacle basilisk bass bat beagle bear beetle
		bengal bird bison blowfish bluebird bluegill bluejay boa bobcat bonefish boxer bream
		buck buffalo bug bull bulldog bullfrog bunny burro buzzard caiman calf camel cardinal
		caribou cat catfish cattle chamois cheetah chicken chigger chimp chipmunk cicada clam
		cobra cockatoo cod collie colt condor coral cougar cow coyote crab crane crappie
		crawdad crayfish cricket crow cub cuckoo dane deer dingo dinosaur doe dodo dog dogfish
		dolphin donkey dory dove dragon drake drum duck duckling eagle earwig eel eft egret
		elephant elf elk emu ewe falcon fawn feline ferret filly finch firefly fish flamingo
		flea flounder fly foal fowl fox frog gar gator gazelle gecko gelding ghost ghoul
		gibbon giraffe glider glowworm gnat gnu goat goblin goldfish goose gopher gorilla
		grackle grasshopper grizzly grouper grouse grub guinea gull guppy haddock hagfish
		halibut hamster hare hawk hedgehog hen heron herring hippo hog honeybee hookworm
		hornet horse hound humpback husky hyena ibex iguana impala insect jackal jaguar jay
		jaybird jennet joey kangaroo katydid kid killdeer kingfish kit kite kitten kiwi koala
		kodiak koi krill lab labrador lacewing ladybird ladybug lamb lamprey lark leech lemming
		lemur leopard liger lion lionfish lizard llama lobster locust longhorn loon louse
		lynx macaque macaw mackerel maggot magpie malamute mallard mammal mammoth man manatee
		mantis marlin marmot marmoset marten martin mastiff mastodon mayfly meerkat midge mink
		minnow mite moccasin mole mollusk molly monarch mongoose mongrel monitor monkey
		monster moose moray mosquito moth mouse mudfish mule mullet muskox muskrat mustang
		mutt narwhal newt oarfish ocelot octopus opossum orca oriole oryx osprey ostrich otter
		owl ox oyster panda pangolin panther parakeet parrot peacock pegasus pelican penguin
		perch pheasant phoenix pig pigeon piglet pika pipefish piranha platypus polecat pony
		porpoise possum prawn primate pup python quagga quail quetzal rabbit raccoon racer
		ram raptor rat rattler raven ray redbird redfish reindeer reptile rhino robin rodent
		rooster sailfish salmon sawfly scorpion sculpin seagull seahorse seal seasnail serval
		shad shark sheep sheepdog shepherd shiner shrew shrimp silkworm skink skunk skylark
		sloth slug snail snake snapper snipe sparrow spider sponge squid squirrel stag
		starfish stallion starling stingray stinkbug stork sturgeon sunbeam sunbird sunfish
		swan swift swine tadpole tahr tapir tarpon teal termite terrier tetra thrush tick
		tiger titmouse toad tomcat tortoise toucan treefrog trout tuna turkey turtle urchin
		vervet viper vulture wahoo wallaby walleye walrus warthog wasp weasel weevil werewolf
		whale whippet wildcat wolf wombat woodcock worm wren yak yeti zebra`)
)

func checkPet(m resource.PropertyMap) [][2]string {
	setDefault(m, "length", resource.NewNumberProperty(2))
	setDefault(m, "separator", resource.NewStringProperty("-"))
	return requireNumber(m, "length", 1)
}

func createPet(in, _ resource.PropertyMap) (string, error) {
	length, _ := intInput(in, "length")
	sep := stringInput(in, "separator")
	// Same shape as the real provider: [adverb...] [adjective] name.
	var words []string
	for i := 0; i < length-2; i++ {
		words = append(words, adverbs[randInt(len(adverbs))])
	}
	if length >= 2 {
		words = append(words, adjectives[randInt(len(adjectives))])
	}
	words = append(words, names[randInt(len(names))])
	pet := strings.Join(words, sep)
	if prefix := stringInput(in, "prefix"); prefix != "" {
		pet = prefix + sep + pet
	}
	return pet, nil
}

// --- RandomId ------------------------------------------------------------------------------

func checkID(m resource.PropertyMap) [][2]string {
	return requireNumber(m, "byteLength", 1)
}

func createID(in, out resource.PropertyMap) (string, error) {
	n, _ := intInput(in, "byteLength")
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	prefix := stringInput(in, "prefix")
	id := base64.RawURLEncoding.EncodeToString(b)
	out["b64Url"] = resource.NewStringProperty(prefix + id)
	out["b64Std"] = resource.NewStringProperty(prefix + base64.StdEncoding.EncodeToString(b))
	out["hex"] = resource.NewStringProperty(prefix + hex.EncodeToString(b))
	out["dec"] = resource.NewStringProperty(prefix + new(big.Int).SetBytes(b).String())
	// As upstream, the id is the unprefixed URL-safe base64 form.
	return id, nil
}

// --- RandomInteger -------------------------------------------------------------------------

func checkInteger(m resource.PropertyMap) [][2]string {
	failures := append(requireNumber(m, "min", math.MinInt32), requireNumber(m, "max", math.MinInt32)...)
	lo, okLo := intInput(m, "min")
	hi, okHi := intInput(m, "max")
	if len(failures) == 0 && okLo && okHi && hi < lo {
		failures = append(failures, [2]string{"max", "minimum value needs to be smaller than or equal to maximum value"})
	}
	return failures
}

func createInteger(in, out resource.PropertyMap) (string, error) {
	lo, _ := intInput(in, "min")
	hi, _ := intInput(in, "max")
	var n int
	if seed := stringInput(in, "seed"); seed != "" {
		// A seed makes the result reproducible, as upstream (CRC-64/ISO of the seed string).
		src := mathrand.NewSource(int64(crc64.Checksum([]byte(seed), crc64.MakeTable(crc64.ISO))))
		n = mathrand.New(src).Intn(hi-lo+1) + lo
	} else {
		n = randInt(hi-lo+1) + lo
	}
	out["result"] = resource.NewNumberProperty(float64(n))
	return strconv.Itoa(n), nil
}

// randInt returns a uniform cryptographically random integer in [0, n).
func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return int(v.Int64())
}

func pick(chars string) byte { return chars[randInt(len(chars))] }
