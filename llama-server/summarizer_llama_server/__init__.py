"""llama.cpp's llama-server, built at install time; `summarizer` finds the files beside this one:
bin/llama-server and build.json (the flags it was built with and the CPU features it needs)."""
