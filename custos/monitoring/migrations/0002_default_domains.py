from django.db import migrations

# A starting list (clause 2.3 names the kinds); HR and ICT keep it up to date in the admin.
DEFAULT_DOMAINS = {
    "social": [
        "facebook.com", "fbcdn.net", "instagram.com", "twitter.com", "x.com", "twimg.com", "threads.net",
        "bsky.app", "mastodon.social", "linkedin.com", "snapchat.com", "tiktok.com", "tiktokcdn.com",
        "pinterest.com", "tumblr.com", "myspace.com", "bereal.com",
    ],
    "video": ["youtube.com", "youtu.be", "googlevideo.com", "ytimg.com", "vimeo.com", "twitch.tv",
              "dailymotion.com", "flickr.com"],
    "messaging": ["whatsapp.com", "whatsapp.net", "messenger.com", "telegram.org", "t.me", "discord.com",
                  "discord.gg", "signal.org"],
    "forum": ["reddit.com", "redd.it", "quora.com", "medium.com", "blogger.com", "wordpress.com",
              "mumsnet.com", "delicious.com"],
    "encyclopaedia": ["wikipedia.org", "wikimedia.org", "wiktionary.org", "wikibooks.org", "wikiquote.org",
                      "wikidata.org", "fandom.com"],
}


def add(apps, schema_editor):
    DomainCategory = apps.get_model("monitoring", "DomainCategory")
    for category, domains in DEFAULT_DOMAINS.items():
        for domain in domains:
            DomainCategory.objects.get_or_create(domain=domain, defaults={"category": category})


def remove(apps, schema_editor):
    DomainCategory = apps.get_model("monitoring", "DomainCategory")
    DomainCategory.objects.filter(domain__in=[d for ds in DEFAULT_DOMAINS.values() for d in ds]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
