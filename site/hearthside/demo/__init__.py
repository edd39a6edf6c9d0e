"""The Copper Kettle Coffee & Bakery demo site, loaded by ``manage.py load_demo``."""
