"""``python -m ember.vision``: the training job (same as ``python -m ember.vision.train``)."""
import sys

from ember.vision.train import main

sys.exit(main())
