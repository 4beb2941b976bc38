package v1

import "fmt"

func Handle(name string) string {
  return fmt.Sprintf("v1:%s",name)
}
