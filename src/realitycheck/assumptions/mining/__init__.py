"""Mining: assumptions the changed Python code makes, found statically with the `ast` module."""
