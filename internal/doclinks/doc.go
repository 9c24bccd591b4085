// Package doclinks holds a test that every relative link in the
// repository's Markdown files (README.md, CHANGELOG.md, docs/, …) resolves:
// to a file or directory of the repository and, for a link with a
// #fragment into a Markdown file, to one of that file's headings.
package doclinks
