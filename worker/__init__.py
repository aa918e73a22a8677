"""The Cloudflare Worker: the same application on D1 (Pyodide only at run time)."""
