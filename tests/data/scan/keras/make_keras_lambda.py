#!/usr/bin/python3
"""keras_lambda.keras: a .keras archive whose config.json holds a Lambda layer, as Keras 3 writes
one (the function stored as a "__lambda__" with marshalled code). Keras is not packaged in
Debian: the config is written by hand in Keras 3's layout; the weights file is not needed to scan.
Run: /usr/bin/python3 make_keras_lambda.py
"""
import json
import os
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
config = {
    "module": "keras", "class_name": "Sequential", "config": {"name": "m", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 4]}},
        {"module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "shift", "function": {"class_name": "__lambda__", "config": {
                "code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARcAUwApAk7pAQAAAKkAKQHaAXhyAgAAAHICAAAA"}}}},
        {"module": "my_project.layers", "class_name": "Scale", "registered_name": "my_project>Scale",
         "config": {"name": "scale"}}]}}
with zipfile.ZipFile(os.path.join(here, "keras_lambda.keras"), "w") as z:
    for name, text in [("metadata.json", json.dumps({"keras_version": "3.3.3"})), ("config.json", json.dumps(config))]:
        z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
