package main

// commands is the one table of sqldict's verbs, in the order help lists
// them. Help, completion and suggestions are generated from it; a new verb
// (such as version or drop) is added here and nowhere else.
var commands []*command

// init fills the table. It cannot be a plain initialiser: help and
// completion read the table, which would make an initialisation cycle.
// Being the only init that touches it, the table does not depend on the
// order in which Go initialises files.
func init() {
	commands = []*command{
		cmdGet, cmdSet, cmdDel, cmdKeys, cmdLen, cmdLog, cmdDiff, cmdEdit, cmdPatch,
		cmdExport, cmdImport, cmdMigrate, cmdDrop, cmdPrune, cmdTyped, cmdServe, cmdWatch,
		cmdHealthcheck, cmdVersion, cmdCompletion, cmdHelp,
	}
}

// lookup returns the verb called name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// commandNames lists the verbs' names in table order.
func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}
