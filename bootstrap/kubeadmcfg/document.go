package kubeadmcfg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"sigs.k8s.io/yaml"
)

// jsonField is one JSON-visible field of a struct type (embedded structs flattened, as encoding/json does).
type jsonField struct {
	Name string
	Type reflect.Type
}

// jsonFields returns the JSON fields of struct type t by JSON name. Anonymous struct fields without a JSON
// name (`json:",inline"`, metav1.TypeMeta) are flattened; shallower fields win on a name clash.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	addJSONFields(t, out, map[reflect.Type]bool{})
	return out
}

func addJSONFields(t reflect.Type, out map[string]jsonField, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := out[name]; !dup {
			out[name] = jsonField{Name: name, Type: f.Type}
		}
	}
	for _, et := range embedded { // deeper than the direct fields: they lose a clash
		addJSONFields(et, out, seen)
	}
}

// toJSONMap marshals v (a struct or pointer to struct) into a generic JSON object.
func toJSONMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSONObject(b)
}

func decodeJSONObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// zeroJSON is the JSON form of the zero value of t (nil when it marshals to null).
func zeroJSON(t reflect.Type) (any, error) {
	b, err := json.Marshal(reflect.Zero(t).Interface())
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// prune removes from m, the JSON form of a value of struct type t, every key whose value equals the JSON
// form of the zero value of the field's type: what json.Marshal emits for fields nobody set (`0s`, `0`,
// `{}`, `null`). The zero value of a pointer is null, so a non-nil pointer always stays (`failSwapOn:
// false`), and the struct it points to is pruned in turn. keep holds the paths the user wrote
// (the cluster file section, as a JSON tree): those keys stay even when they equal the zero value.
func prune(m map[string]any, t reflect.Type, keep map[string]any) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	fields := jsonFields(t)
	for k, v := range m {
		f, ok := fields[k]
		if !ok {
			continue // not a struct field (cannot happen for a marshalled struct)
		}
		sub, isMap := v.(map[string]any)
		kv, userSet := keep[k]
		if userSet {
			if km, ok := kv.(map[string]any); ok && isMap {
				if err := prune(sub, f.Type, km); err != nil {
					return err
				}
			}
			continue
		}
		z, err := zeroJSON(f.Type) // null for pointers: only a nil pointer is dropped
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if reflect.DeepEqual(v, z) {
			delete(m, k)
			continue
		}
		if isMap {
			if err := prune(sub, f.Type, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderDocument marshals obj (a pointer to an API struct with apiVersion and kind set) to YAML holding only
// the fields that differ from their zero value (see prune), apiVersion and kind first, then the other keys
// sorted.
func renderDocument(obj any, keep map[string]any) ([]byte, error) {
	m, err := toJSONMap(obj)
	if err != nil {
		return nil, err
	}
	if err := prune(m, reflect.TypeOf(obj), keep); err != nil {
		return nil, err
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" || kind == "" {
		return nil, fmt.Errorf("internal error: %T without apiVersion/kind", obj)
	}
	delete(m, "apiVersion")
	delete(m, "kind")
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "apiVersion: %s\nkind: %s\n", apiVersion, kind)
	if len(m) > 0 {
		body, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.Write(body)
	}
	return buf.Bytes(), nil
}

// joinDocuments joins YAML documents with "---" lines.
func joinDocuments(docs [][]byte) []byte {
	return bytes.Join(docs, []byte("---\n"))
}
