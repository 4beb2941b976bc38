package v2

import "fmt"

var routes = map[string]string{ "a": "b" }

func Handle(name string) string {
	for k, _ := range routes {
		_ = k
	}
	return fmt.Sprintf("v2:%s",name)
}
