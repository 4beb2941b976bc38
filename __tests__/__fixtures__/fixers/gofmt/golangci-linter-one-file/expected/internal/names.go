package internal

var names = []string{"a", "b"}

func First() string {
	for i := range names {
		return names[i]
	}
	return ""
}
