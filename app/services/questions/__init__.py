"""Question batches: parsing the uploaded file, retrieval, answering and the batch lifecycle.

Modules: ``parse`` (CSV/XLSX to validated rows), ``retrieval`` (page text index and search),
``answer`` (the local answerer, LLM answerers and thread context), ``actions`` (create, cancel,
retry, delete, finalize, sweep, reads and exports).
"""

NOT_FOUND_ANSWER = "Not found in the documents."
