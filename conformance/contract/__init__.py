"""The contract: the API reference page as data.

What lives here: the operation, its parameters and constraints, the requirements with the page's sentences and their
evidence (spec), the response schemas (schemas) and the Hypothesis strategies drawn from the constraints (strategies).
It may import nothing else of the package but conformance.errors: everything else reads the page from here.
"""
