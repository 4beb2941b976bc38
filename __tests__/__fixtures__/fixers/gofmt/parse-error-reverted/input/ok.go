package main

func  ok() int {
return 1
}
