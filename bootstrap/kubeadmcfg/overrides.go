package kubeadmcfg

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"

	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	sigsjson "sigs.k8s.io/json"
)

// Names of the cluster file sections, used as the first element of field paths in messages.
const (
	kubeletSection   = "kubelet"
	kubeProxySection = "kubeProxy"
)

// ownedKubeletFields are the KubeletConfiguration fields swapboot sets itself. A user value would be
// overridden silently, so CheckKubeletOverrides refuses them.
var ownedKubeletFields = map[string]string{
	"apiVersion": "set by swapboot; remove it",
	"kind":       "set by swapboot; remove it",
	"failSwapOn": "swapboot sets failSwapOn (false whenever it enables swap); remove it",
	"memorySwap": "owned by swapboot; use swap.behavior in the cluster file instead",
}

var ownedKubeProxyFields = map[string]string{
	"apiVersion": "set by swapboot; remove it",
	"kind":       "set by swapboot; remove it",
}

// CheckKubeletOverrides checks the cluster file's `kubelet:` section against the official
// KubeletConfiguration (kubelet.config.k8s.io/v1beta1) with strict decoding. Every problem is reported with
// its field path, for example `kubelet.cgroupDrivr: unknown field` or
// `kubelet.cgroupsPerQOS: wrong type: expected boolean, got string "yes"`. Fields swapboot owns (failSwapOn,
// memorySwap, featureGates.NodeSwap, apiVersion, kind) are refused. A nil or empty map is valid.
func CheckKubeletOverrides(m map[string]any) error {
	_, _, err := decodeKubeletOverrides(m)
	return err
}

// CheckKubeProxyOverrides checks the cluster file's `kubeProxy:` section against the official
// KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1), like CheckKubeletOverrides.
func CheckKubeProxyOverrides(m map[string]any) error {
	_, _, err := decodeKubeProxyOverrides(m)
	return err
}

// decodeKubeletOverrides checks m and decodes it into a KubeletConfiguration. It also returns m as a
// JSON tree (the paths the user set).
func decodeKubeletOverrides(m map[string]any) (*kubeletv1beta1.KubeletConfiguration, map[string]any, error) {
	kc := &kubeletv1beta1.KubeletConfiguration{}
	tree, err := decodeOverrides(kubeletSection, m, kc, func(tree map[string]any) []error {
		errs := ownedFieldErrors(kubeletSection, tree, ownedKubeletFields)
		if fg, ok := tree["featureGates"].(map[string]any); ok {
			if _, ok := fg["NodeSwap"]; ok {
				errs = append(errs, fmt.Errorf("%s.featureGates.NodeSwap: owned by swapboot (it enables the gate with swap.behavior where the version needs it); remove it", kubeletSection))
			}
		}
		return errs
	})
	if err != nil {
		return nil, nil, err
	}
	return kc, tree, nil
}

func decodeKubeProxyOverrides(m map[string]any) (*kubeproxyv1alpha1.KubeProxyConfiguration, map[string]any, error) {
	kp := &kubeproxyv1alpha1.KubeProxyConfiguration{}
	tree, err := decodeOverrides(kubeProxySection, m, kp, func(tree map[string]any) []error {
		return ownedFieldErrors(kubeProxySection, tree, ownedKubeProxyFields)
	})
	if err != nil {
		return nil, nil, err
	}
	return kp, tree, nil
}

func ownedFieldErrors(section string, tree map[string]any, owned map[string]string) []error {
	var errs []error
	for _, k := range sortedKeys(tree) {
		if why, ok := owned[k]; ok {
			errs = append(errs, fmt.Errorf("%s.%s: %s", section, k, why))
		}
	}
	return errs
}

// decodeOverrides normalizes m to a JSON tree, walks it against the type of into (reporting every unknown
// field and wrong type with its path), runs the owned-field check, then decodes it strictly into into with
// the same decoder the Kubernetes components use (sigs.k8s.io/json).
func decodeOverrides(section string, m map[string]any, into any, owned func(map[string]any) []error) (map[string]any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	norm, err := normalize(section, m)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(norm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", section, err)
	}
	tree, err := decodeJSONObject(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", section, err)
	}
	errs := owned(tree)
	checkValue(section, tree, reflect.TypeOf(into).Elem(), &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	strict, err := sigsjson.UnmarshalStrict(b, into)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", section, err)
	}
	if len(strict) > 0 {
		return nil, fmt.Errorf("%s: %w", section, errors.Join(strict...))
	}
	return tree, nil
}

// normalize turns a YAML-decoded value (gopkg.in/yaml.v3 or sigs.k8s.io/yaml: map[string]any,
// map[any]any, []any, scalars) into values encoding/json can marshal.
func normalize(path string, v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			n, err := normalize(path+"."+k, e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("%s: key %v is not a string", path, k)
			}
			n, err := normalize(path+"."+ks, e)
			if err != nil {
				return nil, err
			}
			out[ks] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			n, err := normalize(fmt.Sprintf("%s[%d]", path, i), e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	default:
		if _, err := json.Marshal(v); err != nil {
			return nil, fmt.Errorf("%s: unsupported value %v: %w", path, v, err)
		}
		return v, nil
	}
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkValue checks the JSON value v against Go type t and appends one error per problem, named by path.
func checkValue(path string, v any, t reflect.Type, errs *[]error) {
	if v == nil {
		return // null is accepted for every type
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if err := strictLeaf(v, t); err != nil {
			*errs = append(*errs, fmt.Errorf("%s: invalid value %s: %v", path, describe(v), err))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkValue(path, v, t.Elem(), errs)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			*errs = append(*errs, fmt.Errorf("%s: wrong type: expected object, got %s", path, describe(v)))
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			f, ok := fields[k]
			if !ok {
				*errs = append(*errs, fmt.Errorf("%s.%s: unknown field", path, k))
				continue
			}
			checkValue(path+"."+k, m[k], f.Type, errs)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			*errs = append(*errs, fmt.Errorf("%s: wrong type: expected object, got %s", path, describe(v)))
			return
		}
		for _, k := range sortedKeys(m) {
			if err := strictLeaf(k, t.Key()); err != nil {
				*errs = append(*errs, fmt.Errorf("%s: invalid key %q: %v", path, k, err))
				continue
			}
			checkValue(path+"."+k, m[k], t.Elem(), errs)
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if err := strictLeaf(v, t); err != nil {
				*errs = append(*errs, fmt.Errorf("%s: wrong type: expected base64 string, got %s", path, describe(v)))
			}
			return
		}
		a, ok := v.([]any)
		if !ok {
			*errs = append(*errs, fmt.Errorf("%s: wrong type: expected list, got %s", path, describe(v)))
			return
		}
		for i, e := range a {
			checkValue(fmt.Sprintf("%s[%d]", path, i), e, t.Elem(), errs)
		}
	case reflect.Interface:
		// anything goes
	default:
		if err := strictLeaf(v, t); err != nil {
			*errs = append(*errs, fmt.Errorf("%s: wrong type: expected %s, got %s", path, kindName(t), describe(v)))
		}
	}
}

// strictLeaf decodes the JSON value v into a new value of type t with the Kubernetes strict decoder.
func strictLeaf(v any, t reflect.Type) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(b, reflect.New(t).Interface())
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer (" + t.Kind().String() + ")"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "non-negative integer (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

// describe names the JSON type of v, with the value for scalars (override values are not secret).
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("boolean %v", t)
	case string:
		return fmt.Sprintf("string %q", t)
	case json.Number:
		return "number " + t.String()
	case float64:
		return fmt.Sprintf("number %v", t)
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
