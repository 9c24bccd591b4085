package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// given reports whether the flag name was on the command line. A flag whose
// default means "unset" (--at's -1, --version's 0) must still be checked
// when given explicitly: "--at -1" is a mistake, not a request for the head.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// byteSize is a flag.Value for a size in bytes: a number, optionally with
// a binary unit (K, KB or KiB; M, MB or MiB; G, GB or GiB: all powers of 2).
type byteSize int

func (b *byteSize) String() string { return strconv.Itoa(int(*b)) }

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseByteSize(s string) (int, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	shift := map[string]uint{"": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20, "G": 30, "GB": 30, "GIB": 30}
	sh, ok := shift[strings.ToUpper(s[i:])]
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if !ok || err != nil || n < 1 || n > (1<<40)>>sh {
		return 0, fmt.Errorf("want a positive number of bytes, optionally with K, M or G (e.g. 16M)")
	}
	return int(n << sh), nil
}

// days is a flag.Value for a positive duration in the forms a relative
// time takes without its sign: 30d, 720h, 1d12h, 90m.
type days time.Duration

func (d *days) String() string { return time.Duration(*d).String() }

func (d *days) Set(s string) error {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") || s == "" {
		return fmt.Errorf("want a positive duration such as 30d, 720h or 1d12h")
	}
	v, err := parseRelative("+" + s)
	if err != nil || v <= 0 {
		return fmt.Errorf("want a positive duration such as 30d, 720h or 1d12h")
	}
	*d = days(v)
	return nil
}
