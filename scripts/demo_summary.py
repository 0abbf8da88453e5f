import json,sys
for f in sys.argv[1:]:
    print(f); print(json.dumps(json.load(open(f)), indent=1)[:3000])
sys.exit(0)
