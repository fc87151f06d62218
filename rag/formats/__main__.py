"""``python -m rag.formats SUFFIX``: read a file from stdin, print its text as JSON."""

from rag.formats import main

main()
