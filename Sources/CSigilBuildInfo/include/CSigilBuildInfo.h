// Why this target exists: Swift has no value-carrying compile-time defines, C does. The
// build's git commit reaches the binary as -DSIGIL_COMMIT="..." on this one C file, which
// Package.swift sets from $SIGIL_COMMIT (tools/package exports it); a plain `swift build`
// leaves it undefined and the commit reads "unknown". No generated file is ever committed.
#ifndef SIGIL_BUILD_INFO_H
#define SIGIL_BUILD_INFO_H

/// The git commit the binary was built from, or "unknown".
const char *sigil_build_commit(void);

#endif
