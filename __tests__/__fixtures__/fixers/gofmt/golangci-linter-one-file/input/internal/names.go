package internal

var names = []string{ "a", "b" }

func First() string {
	for i, _ := range names {
		return names[i]
	}
	return ""
}
