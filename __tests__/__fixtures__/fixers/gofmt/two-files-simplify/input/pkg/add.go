package pkg

func Add(a int,b int) int {
return a+b
}

var s = []int{ 1 }
var t = s[1:len(s)]
