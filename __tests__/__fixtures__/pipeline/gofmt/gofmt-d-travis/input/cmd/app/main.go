package main

import (
	"fmt"
	"example.com/acme/internal/store"
)

func main() {
	s := store.New()
	if s != nil {fmt.Println(s.Name)}
}
