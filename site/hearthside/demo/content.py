"""The words and pictures of the demo site: Copper Kettle Coffee & Bakery.

Data only; :mod:`hearthside.demo.builder` turns it into pages. Pages point at
each other by slug, pictures are named drawings from
:mod:`hearthside.demo.images`, and dates are days before the day the demo is
loaded, so the site always looks recently updated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Illustration:
    name: str  # unique: seeds the drawing and names the file
    motif: str  # a key of images.MOTIFS
    palette: str  # a key of images.PALETTES
    alt_text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Picture:
    illustration: Illustration
    caption: str


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str


@dataclass(frozen=True)
class CallToAction:
    title: str
    text: str
    button_label: str
    page: str  # slug of the page the button leads to


Block = Heading | Paragraph | Bullets | Picture | Quote | CallToAction


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    author: str
    days_ago: int
    tags: tuple[str, ...]
    illustration: Illustration
    body: tuple[Block, ...]
    related: tuple[str, ...]  # slugs


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str
    illustration: Illustration
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Offer:
    slug: str
    title: str
    summary: str
    price_text: str
    valid_for_days: int
    cta_label: str
    cta_page: str  # slug
    terms: str
    illustration: Illustration
    body: tuple[Block, ...]


@dataclass(frozen=True)
class InfoPage:
    slug: str
    title: str
    intro: str
    illustration: Illustration
    body: tuple[Block, ...]


@dataclass(frozen=True)
class Home:
    slug: str
    title: str
    hero_title: str
    hero_text: str
    hero_cta_label: str
    hero_cta_page: str  # slug
    featured_section: str  # slug
    featured_offer: str  # slug
    illustration: Illustration
    body: tuple[Block, ...]


@dataclass(frozen=True)
class Branding:
    brand_name: str
    tagline: str
    email: str
    phone: str
    address: str
    opening_hours: str
    facebook_url: str
    instagram_url: str
    mastodon_url: str
    theme: str


# When the site's standing pages and this week's offer went up.
SITE_LAUNCHED_DAYS_AGO = 180
OFFER_PUBLISHED_DAYS_AGO = 2

TAGS = ("baking", "coffee", "community", "how-to", "news", "recipes")

HEAD_BAKER = "Priya Nair"
HEAD_OF_COFFEE = "Tom Okafor"
FOUNDER = "Hannah Cole"
FRONT_OF_HOUSE = "Sam Whitfield"

OPENING_HOURS = (
    ("Monday to Friday", "7.30am to 5pm"),
    ("Saturday", "8am to 5pm"),
    ("Sunday", "9am to 2pm"),
)
ADDRESS_LINES = ("14 Foundry Lane", "Riverside", "Bristol BS3 4QT")

BRANDING = Branding(
    brand_name="Copper Kettle Coffee & Bakery",
    tagline="Real bread and good coffee on Foundry Lane",
    email="hello@copperkettle.example",
    # Ofcom keeps 0117 496 0000-0999 for drama, so this rings no one.
    phone="0117 496 0742",
    address="\n".join(ADDRESS_LINES),
    opening_hours="\n".join(f"{days}: {hours}" for days, hours in OPENING_HOURS),
    facebook_url="https://www.facebook.com/copperkettle.example",
    instagram_url="https://www.instagram.com/copperkettle.example/",
    mastodon_url="https://mastodon.example/@copperkettle",
    theme="hearth",
)

LOGO_TITLE = "Copper Kettle logo"

# Slugs other content points at.
JOURNAL = "journal"
OFFER = "loyalty-week"
VISIT_US = "visit-us"
ABOUT_US = "about-us"


SOURDOUGH = Article(
    slug="how-we-make-our-sourdough",
    title="How we make our sourdough: a 36-hour loaf",
    summary=(
        "Flour, water, salt and a day and a half of patience. Priya walks through every stage of the "
        "country loaf we bake each morning."
    ),
    author=HEAD_BAKER,
    days_ago=6,
    tags=("baking", "how-to"),
    illustration=Illustration(
        "sourdough-feature", "loaf", "crust", "A round sourdough loaf on a wooden board."
    ),
    body=(
        Paragraph(
            "Our country sourdough is the loaf people ask about most, and the answer to \u201chow do you "
            "make it?\u201d is always a little disappointing: flour, water, salt and time. There is no "
            "secret ingredient. There is, though, a rhythm that starts a day and a half before the loaf "
            "reaches the shelf, and it is worth explaining, because the same rhythm works in a home kitchen."
        ),
        Heading("Day one: feeding the starter"),
        Paragraph(
            "At around eight in the morning we feed our starter, a ten-year-old culture the team calls "
            "Agnes, with equal weights of water and a mix of white and wholemeal flour. By mid-afternoon "
            "it has doubled, smells pleasantly sour, like yoghurt and green apples, and a spoonful floats "
            "in water. That is the signal to mix."
        ),
        Paragraph(
            "We combine the flour and water first and leave them alone for an hour. Bakers call this the "
            "autolyse: it lets the flour soak up the water and start building gluten on its own, so the "
            "dough needs far less work. Then the starter and salt go in, and for the next four hours we "
            "give the dough a set of stretches and folds every forty-five minutes instead of kneading it."
        ),
        Picture(
            Illustration("sourdough-rack", "loaf", "honey", "A scored loaf dusted with flour."),
            "Country loaves cooling at six in the morning.",
        ),
        Heading("Day two: shaping, a cold night and a hot oven"),
        Paragraph(
            "Once the dough has risen by about half and feels airy, we divide it, pre-shape it into loose "
            "rounds, rest it for twenty minutes and then shape it properly, pulling the surface tight so "
            "the loaf holds its form. The shaped loaves go into floured baskets and into the fridge "
            "overnight. The cold slows the yeast right down while the bacteria keep working, and that "
            "long, slow fermentation is where the flavour comes from."
        ),
        Quote(
            "The fridge does half the baking. All we do is make sure the dough is in good shape when it "
            "goes in.",
            f"{HEAD_BAKER}, head baker",
        ),
        Paragraph(
            "At four the next morning the ovens are at 250\u00b0C. Each loaf is turned out, scored with a "
            "razor blade and baked with steam for twenty minutes, then without for another twenty-five, "
            "until the crust is deep brown and crackles as it cools. If you want to try it at home, a "
            "heavy lidded casserole dish does the job of our steam injectors remarkably well."
        ),
        CallToAction(
            "Take one home",
            "The first loaves come out of the oven at seven, and we will hold one back for you if you ask.",
            "Plan your visit",
            VISIT_US,
        ),
    ),
    related=("croissant-lamination", "yesterdays-bread"),
)

V60 = Article(
    slug="v60-coffee-at-home",
    title="Brewing better coffee at home with a V60",
    summary=(
        "A plastic cone, a paper filter and a kettle: the simplest way to make a clean, bright cup at "
        "home, and the recipe we use behind the counter."
    ),
    author=HEAD_OF_COFFEE,
    days_ago=13,
    tags=("coffee", "how-to"),
    illustration=Illustration("v60-feature", "cup", "morning", "A cup of black coffee steaming on a saucer."),
    body=(
        Paragraph(
            "The V60 is a cone with spiral ridges and one large hole at the bottom. It costs less than a "
            "bag of good beans, and it makes a cup that is clean, bright and full of the character of the "
            "coffee. It also rewards a little attention, which is why so many people give up on it after "
            "a few bitter mornings. Here is how we brew it behind the counter."
        ),
        Heading("What you need"),
        Bullets(
            (
                "15 g of freshly ground coffee, about as fine as sea salt",
                "250 g of water just off the boil, around 94\u00b0C",
                "A V60 cone (size 02) and a paper filter",
                "A kitchen scale and a timer: your phone will do",
            )
        ),
        Paragraph(
            "Rinse the paper filter with hot water first. It takes away the papery taste and warms the "
            "cone and your cup. Tip that water away, add the coffee and give the cone a gentle shake so "
            "the bed is flat."
        ),
        Paragraph(
            "Start the timer and pour 40 g of water, just enough to wet all the grounds. This is the "
            "bloom: the coffee releases carbon dioxide and puffs up. Wait thirty to forty-five seconds, "
            "then pour the rest in slow circles, keeping clear of the paper, until the scale reads 250 g. "
            "The water should have drained through by about three minutes."
        ),
        Quote(
            "If it tastes sour, grind finer. If it tastes bitter or dry, grind coarser. Change one thing "
            "at a time.",
            HEAD_OF_COFFEE,
        ),
        Paragraph(
            "That last point is the whole trick. Grind size controls how long the water spends with the "
            "coffee, and so how much flavour it pulls out. Write down what you did, taste, adjust, and "
            "within a week you will be brewing better coffee than most cafés serve."
        ),
        CallToAction(
            "Beans ground for you",
            "Tell us what you brew with and we will grind a bag of this month's coffee to suit it.",
            "Find us",
            VISIT_US,
        ),
    ),
    related=("single-origin-espresso", "cold-brew-for-beginners"),
)

APPLE_CAKE = Article(
    slug="spiced-apple-cake",
    title="Our spiced apple cake, recipe and all",
    summary=(
        "Our most requested bake of the autumn, written out in full: a moist, lightly spiced sponge with "
        "a layer of soft apples and a crunchy demerara top."
    ),
    author=HEAD_BAKER,
    days_ago=21,
    tags=("recipes", "baking"),
    illustration=Illustration("apple-cake-feature", "cake", "apple", "A layered cake on a cake stand."),
    body=(
        Paragraph(
            "Every autumn someone asks for the recipe for our spiced apple cake, and every autumn we "
            "promise to write it down properly. Here it is at last, scaled for one 20 cm round tin at "
            "home rather than the trays we bake at the café."
        ),
        Heading("Ingredients"),
        Bullets(
            (
                "175 g soft unsalted butter, plus extra for the tin",
                "175 g light brown sugar",
                "3 medium eggs",
                "200 g self-raising flour",
                "1 tsp ground cinnamon, \u00bd tsp ground ginger and a good grating of nutmeg",
                "3 eating apples, such as Cox or Braeburn, peeled and thinly sliced",
                "2 tbsp demerara sugar for the top",
            )
        ),
        Heading("Method"),
        Paragraph(
            "Heat the oven to 170\u00b0C (150\u00b0C fan) and line the tin. Beat the butter and brown sugar "
            "together until pale and fluffy; this takes a good three or four minutes with an electric "
            "whisk and is worth not rushing. Add the eggs one at a time, with a spoonful of the flour if "
            "the mixture starts to curdle."
        ),
        Paragraph(
            "Fold in the rest of the flour and the spices, then spoon half the batter into the tin. Lay "
            "half the apple slices over it, cover with the remaining batter and fan the last slices "
            "across the top. Scatter over the demerara and bake for 50 to 60 minutes, until a skewer "
            "comes out clean."
        ),
        Picture(
            Illustration("apple-cake-slice", "cake", "honey", "A cake topped with apple slices."),
            "The demerara top should crackle when you cut into it.",
        ),
        Paragraph(
            "Let the cake cool in the tin for twenty minutes before turning it out. It keeps for three "
            "days in a tin and, if anything, tastes better on the second day, when the apples have had "
            "time to soften into the sponge. We serve it warm with a spoonful of crème fraîche."
        ),
        CallToAction(
            "Too busy to bake?",
            "The apple cake is on the counter every day until the apples run out.",
            "See this week's offer",
            OFFER,
        ),
    ),
    related=("cardamom-buns", "yesterdays-bread"),
)

MEET_PRIYA = Article(
    slug="meet-priya-our-head-baker",
    title="Meet Priya, our new head baker",
    summary=(
        "After eight years in London kitchens, Priya Nair has taken charge of our ovens. We asked her "
        "about laminated dough, early starts and what she has planned."
    ),
    author=FOUNDER,
    days_ago=34,
    tags=("community", "news"),
    illustration=Illustration("meet-priya-feature", "bun", "copper", "A tray of freshly baked buns."),
    body=(
        Paragraph(
            "When our founding baker, Dev, told us last spring that he was moving to Cornwall to open a "
            "place of his own, we knew we had big shoes to fill. We are delighted to say that they are now "
            "filled, and usually dusted with flour: Priya Nair joined us as head baker this summer."
        ),
        Paragraph(
            "Priya trained at a pastry school in Lyon and spent eight years in London, most recently "
            "running the viennoiserie section of a busy bakery in Hackney. She moved to Bristol to be "
            "closer to family and, in her words, \u201cto bake for neighbours rather than for queues\u201d."
        ),
        Quote(
            "A neighbourhood bakery is a conversation. People tell you what they loved yesterday, and "
            "you bake it again tomorrow.",
            HEAD_BAKER,
        ),
        Paragraph(
            "Regulars will already have noticed a few changes. The croissants are flakier, cardamom buns "
            "have arrived from her year in Stockholm, and there is a rye loaf on Thursdays that has "
            "gathered a small but devoted following. The sourdough, she insists, will stay exactly as it is."
        ),
        Paragraph(
            "If you see her at the counter, say hello. She is usually there from seven, once the first "
            "bake is out, and always happy to talk about bread."
        ),
    ),
    related=("croissant-lamination", "how-we-make-our-sourdough", "cardamom-buns"),
)

ESPRESSO = Article(
    slug="single-origin-espresso",
    title="Why our espresso now comes from one farm in Huila",
    summary=(
        "We have swapped our house blend for a single-origin coffee from a family farm in Colombia. "
        "Here is why, and what it means for your morning flat white."
    ),
    author=HEAD_OF_COFFEE,
    days_ago=45,
    tags=("coffee", "news"),
    illustration=Illustration(
        "espresso-feature", "beans", "espresso", "A bowl heaped with roasted coffee beans."
    ),
    body=(
        Paragraph(
            "For most of our history our espresso has been a blend: beans from two or three origins, "
            "chosen to taste the same all year round. It was reliable, and reliability matters when you "
            "make four hundred coffees before lunch. But this spring we tried something different, and we "
            "have not looked back."
        ),
        Paragraph(
            "Our new espresso comes from a single farm, Finca La Esperanza, near Pitalito in Huila, "
            "southern Colombia. The Rojas family grow Caturra and Castillo at around 1,700 metres, pick "
            "by hand and dry the beans on raised beds. Our roaster, a small outfit a mile from the café, "
            "buys directly from them and pays well above the market price."
        ),
        Heading("What it tastes like"),
        Paragraph(
            "In the cup it is sweet and round, with milk chocolate, red apple and a hint of caramel. It is "
            "gentle enough to drink as an espresso without wincing and has the body to stand up to milk. "
            "Most regulars noticed the change before we told them, which we took as a good sign."
        ),
        Picture(
            Illustration(
                "espresso-delivery", "beans", "honey", "Coffee beans in a bowl with a scoop beside it."
            ),
            "A fresh delivery: one farm, one harvest.",
        ),
        Paragraph(
            "A single origin does mean the coffee will change a little with each harvest, and that is "
            "rather the point. We will chalk tasting notes on the board by the till whenever a new lot "
            "arrives."
        ),
        CallToAction(
            "Taste it for yourself",
            "Ask for a spare shot alongside your flat white, on the house while this harvest lasts.",
            "Plan your visit",
            VISIT_US,
        ),
    ),
    related=("v60-coffee-at-home", "cold-brew-for-beginners", "a-day-behind-the-counter"),
)

CROISSANTS = Article(
    slug="croissant-lamination",
    title="Laminating dough: the secret life of a croissant",
    summary=(
        "Eighty-one layers of butter and dough, three days of work and about four minutes to eat. What "
        "goes into each croissant on our counter."
    ),
    author=HEAD_BAKER,
    days_ago=58,
    tags=("baking", "how-to"),
    illustration=Illustration("croissant-feature", "croissant", "crust", "A golden croissant on a plate."),
    body=(
        Paragraph(
            "A good croissant shatters when you bite it and shows a honeycomb of thin, buttery layers "
            "inside. Those layers are made, one fold at a time, over three days. The technique is called "
            "lamination, and it is the most satisfying, and most unforgiving, thing we do."
        ),
        Heading("Day one: the dough"),
        Paragraph(
            "We start with a simple enriched dough of flour, milk, sugar, yeast and salt, mixed just "
            "enough to come together and chilled overnight. Separately, we beat cold butter into a flat "
            "square exactly half the size of the rolled-out dough."
        ),
        Heading("Day two: the folds"),
        Paragraph(
            "The butter is sealed inside the dough like a letter in an envelope, rolled out long and "
            "folded in three. That is one turn. We give it three turns in all, with a rest in the fridge "
            "between each so the butter stays cold and firm. Three letter folds give twenty-seven layers "
            "of butter, and around eighty-one layers of pastry once it is rolled and baked."
        ),
        Quote(
            "The butter and the dough have to be the same temperature and the same softness. Too cold "
            "and the butter cracks; too warm and it melts into the dough, and you have made brioche.",
            HEAD_BAKER,
        ),
        Paragraph(
            "On the third day we roll the pastry to four millimetres, cut long triangles and roll each "
            "one up from the wide end. They prove slowly for about two hours at a cool room temperature, "
            "until they wobble when the tray is nudged, then bake at 190\u00b0C for eighteen minutes."
        ),
        Picture(
            Illustration(
                "croissant-plate", "croissant", "copper", "A croissant fresh from the oven, on a plate."
            ),
            "Eighteen minutes in the oven, three days in the making.",
        ),
        Paragraph(
            "It is a lot of work for something eaten in four minutes, but that is part of the pleasure. "
            "If you have never tried lamination at home, a cool day and a clear afternoon are all you "
            "need to begin."
        ),
        CallToAction(
            "Two for one, all week",
            "Croissants are part of our loyalty week offer, so bring a friend.",
            "See the offer",
            OFFER,
        ),
    ),
    related=("meet-priya-our-head-baker", "how-we-make-our-sourdough"),
)

YESTERDAYS_BREAD = Article(
    slug="yesterdays-bread",
    title="Five good things to do with yesterday's bread",
    summary=(
        "Real bread goes stale rather than mouldy, and stale bread is an ingredient. Five ways we use "
        "up day-old loaves, from panzanella to bread-and-butter pudding."
    ),
    author=FOUNDER,
    days_ago=70,
    tags=("recipes", "how-to"),
    illustration=Illustration("yesterdays-bread-feature", "loaf", "honey", "A crusty loaf on a bread board."),
    body=(
        Paragraph(
            "Bread made with just flour, water, salt and time goes stale rather than mouldy, and stale "
            "bread is not waste: it is an ingredient. Every evening we bag up the day's leftover loaves "
            "and sell them at half price, and this is what our team does with theirs."
        ),
        Heading("1. Panzanella"),
        Paragraph(
            "Tear a day-old loaf into chunks and toss it with ripe tomatoes, red onion, basil, good olive "
            "oil and a splash of red wine vinegar, then leave it for half an hour. The bread soaks up the "
            "juices and becomes the best part of the salad."
        ),
        Heading("2. Breadcrumbs for the freezer"),
        Paragraph(
            "Blitz the ends of loaves in a food processor and freeze the crumbs in a bag. Fried in butter "
            "with garlic and lemon zest, straight from frozen, they make a crunchy topping for pasta or "
            "roast vegetables."
        ),
        Heading("3 to 5. French toast, croutons and a pudding"),
        Paragraph(
            "Thick slices of two-day-old sourdough make the best French toast because they hold their "
            "shape in the egg. Cubes tossed in oil and baked until golden turn any soup into a meal. And "
            "for a Sunday pudding, layer buttered slices with a handful of raisins, pour over a vanilla "
            "custard and bake until puffed and golden."
        ),
        CallToAction(
            "Half-price loaves after four",
            "Yesterday's bread, tomorrow's panzanella. Ask at the counter.",
            "Visit us",
            VISIT_US,
        ),
    ),
    related=("how-we-make-our-sourdough", "spiced-apple-cake"),
)

MARKET = Article(
    slug="a-year-at-the-saturday-market",
    title="A year at the Saturday market",
    summary=(
        "Twelve months ago we set up a trestle table at the Riverside Saturday market. What we have "
        "learnt from a year of early starts, rain and regulars."
    ),
    author=FRONT_OF_HOUSE,
    days_ago=84,
    tags=("community", "baking"),
    illustration=Illustration("market-feature", "stall", "berry", "A market stall with a striped awning."),
    body=(
        Paragraph(
            "A year ago this month we loaded a van with sourdough and cinnamon buns, drove four hundred "
            "metres down the road and set up a stall at the Riverside Saturday market. We were not sure "
            "anyone would buy bread from us on the one day they could just as easily walk to the café. "
            "We need not have worried."
        ),
        Paragraph(
            "The market has become a second shop front for us, and a way to meet people who live a little "
            "further afield. Most weeks we sell out of sourdough by eleven, and there is a queue at the "
            "stall before the church clock strikes nine."
        ),
        Picture(
            Illustration("market-stall", "stall", "honey", "Baskets of bread on a market stall."),
            "Our stall, between the cheese van and the flower seller.",
        ),
        Paragraph(
            "We have learnt a lot. Rain sells more coffee and fewer pastries. Children always choose the "
            "bun with the most icing. A good neighbour on the next stall is worth more than a prime spot, "
            "and ours, a cheesemaker from the Chew Valley, has rescued us from more than one gazebo disaster."
        ),
        Quote(
            "I come for the bread and stay for the chat. It is the best twenty minutes of my week.",
            "Margaret, a regular since the first Saturday",
        ),
        Paragraph(
            "Thank you to everyone who has braved the cold to buy a loaf from us. We are there every "
            "Saturday from 8am to 1pm, all year round, weather permitting and sometimes not."
        ),
    ),
    related=("a-day-behind-the-counter", "bring-your-own-cup"),
)

COLD_BREW = Article(
    slug="cold-brew-for-beginners",
    title="Cold brew for beginners",
    summary=(
        "Smooth, sweet and almost impossible to get wrong: how to make a week's worth of cold brew in a "
        "jar, with no special equipment."
    ),
    author=HEAD_OF_COFFEE,
    days_ago=97,
    tags=("coffee", "recipes", "how-to"),
    illustration=Illustration(
        "cold-brew-feature", "jar", "morning", "Two glasses of iced coffee with a straw."
    ),
    body=(
        Paragraph(
            "Cold brew is coffee made with time instead of heat. Coarsely ground coffee steeps in cold "
            "water for the best part of a day, and the result is smooth, naturally sweet and low in "
            "acidity. It is also the most forgiving way to make coffee we know."
        ),
        Heading("The recipe"),
        Bullets(
            (
                "100 g of coffee, ground coarse, like breadcrumbs",
                "1 litre of cold filtered water",
                "A large jar or jug, and a sieve lined with a paper filter or a clean cloth",
            )
        ),
        Paragraph(
            "Stir the coffee into the water so there are no dry clumps, cover, and leave it at room "
            "temperature for 16 to 18 hours. Then strain it slowly through the lined sieve. Do not squeeze "
            "the grounds: it makes the brew cloudy and bitter."
        ),
        Paragraph(
            "What you have is a concentrate. Dilute it half and half with cold water or milk, pour it over "
            "plenty of ice and drink. It keeps in a sealed bottle in the fridge for a week, which makes it "
            "ideal for hot spells and busy mornings alike."
        ),
        Picture(
            Illustration("cold-brew-glasses", "jar", "honey", "A tall glass of cold brew over ice."),
            "Cold brew over ice with a splash of oat milk.",
        ),
        Quote(
            "Use a coffee you like hot. Cold brew smooths out the edges, but it cannot add flavour that "
            "is not there.",
            HEAD_OF_COFFEE,
        ),
        CallToAction(
            "Ground coarse, ready to steep",
            "We sell 250 g bags of our Huila coffee ground for cold brew.",
            "Find us",
            VISIT_US,
        ),
    ),
    related=("v60-coffee-at-home", "single-origin-espresso"),
)

CARDAMOM_BUNS = Article(
    slug="cardamom-buns",
    title="Cardamom buns, the Copper Kettle way",
    summary=(
        "Soft, knotted and fragrant, cardamom buns have become our bestselling bake. The recipe, with a "
        "few tips for getting the knot right."
    ),
    author=HEAD_BAKER,
    days_ago=112,
    tags=("recipes", "baking"),
    illustration=Illustration(
        "cardamom-buns-feature", "bun", "honey", "A tray of knotted buns with pearl sugar."
    ),
    body=(
        Paragraph(
            "Cardamom buns arrived on our counter this summer, a souvenir of the year Priya spent baking "
            "in Stockholm, and within a month they were outselling cinnamon rolls two to one. They are "
            "easier to make at home than they look, and the smell of them baking is reason enough to try."
        ),
        Heading("Ingredients (makes 12)"),
        Bullets(
            (
                "500 g strong white flour, 7 g fast-action yeast, 75 g caster sugar and a pinch of salt",
                "250 ml whole milk, warmed, and 1 egg",
                "75 g soft butter",
                "For the filling: 100 g soft butter, 75 g light brown sugar and 2 tsp ground cardamom",
                "To finish: a beaten egg, pearl sugar and a little sugar syrup",
            )
        ),
        Paragraph(
            "Mix the flour, yeast, sugar and salt, add the warm milk and the egg, and knead for ten "
            "minutes, working in the butter a little at a time until the dough is smooth and glossy. "
            "Cover it and leave it until doubled, about an hour."
        ),
        Paragraph(
            "Roll the dough into a rectangle about 30 by 40 cm, spread the filling over it, fold it in "
            "half and cut it into twelve strips. Twist each strip, wind it around two fingers and tuck the "
            "end through the middle to make a knot. Do not worry if they look untidy: the rough ones bake "
            "up best."
        ),
        Paragraph(
            "Prove the knots for 30 minutes, brush them with egg, scatter with pearl sugar and bake at "
            "200\u00b0C for 12 to 15 minutes. Brush with syrup as soon as they come out of the oven. Grind "
            "the cardamom fresh from the pods if you can; it makes all the difference."
        ),
        Picture(
            Illustration("cardamom-buns-tray", "bun", "crust", "Freshly baked buns on a tray."),
            "Still warm, still sticky.",
        ),
        CallToAction(
            "Ours are out by eight",
            "Cardamom buns are two for one during loyalty week.",
            "See the offer",
            OFFER,
        ),
    ),
    related=("spiced-apple-cake", "croissant-lamination"),
)

BEHIND_THE_COUNTER = Article(
    slug="a-day-behind-the-counter",
    title="Behind the counter: a day that starts at five",
    summary=(
        "Before the doors open, the ovens have been on for three hours. A day at the Copper Kettle, from "
        "the first bake to the last crumbs."
    ),
    author=FOUNDER,
    days_ago=128,
    tags=("community", "baking", "coffee"),
    illustration=Illustration("behind-the-counter-feature", "kettle", "copper", "A copper kettle, steaming."),
    body=(
        Paragraph(
            "The first light to come on in Foundry Lane is usually ours. Priya arrives just before five, "
            "switches on the deck ovens and checks the loaves that have spent the night proving in the "
            "fridge. By six the first batch of sourdough is out, and the building smells the way a bakery "
            "should."
        ),
        Paragraph(
            "Tom comes in at half past six to set up the espresso. Every morning he pulls a few test "
            "shots, adjusting the grinder until the coffee tastes right, because the beans change a little "
            "from day to day, and so does the weather. By the time we unlock the door at half past seven, "
            "the counter is full and the first regulars are waiting outside."
        ),
        Picture(
            Illustration(
                "foundry-lane-morning",
                "storefront",
                "morning",
                "The café's shopfront with its striped awning.",
            ),
            "Foundry Lane at 7.25am, five minutes before opening.",
        ),
        Paragraph(
            "The morning rush runs until about ten: commuters, parents after the school run, builders from "
            "the site on Mill Road. Lunch brings soup and sandwiches on our own bread. In the quieter "
            "afternoon the team bakes for the next day, folds the croissant dough and scrubs everything in "
            "sight."
        ),
        Quote(
            "It is hard work, but nothing beats handing someone a loaf that was dough when they went to bed.",
            f"{FOUNDER}, founder",
        ),
        Paragraph(
            "At five we close, bag up the leftover loaves for the half-price shelf and the food bank "
            "collection, and get ready to do it all again. We would not have it any other way."
        ),
    ),
    related=("meet-priya-our-head-baker", "a-year-at-the-saturday-market", "how-we-make-our-sourdough"),
)

SUNDAY_OPENING = Article(
    slug="open-on-sunday-mornings",
    title="We're now open on Sunday mornings",
    summary=(
        "From this weekend the café opens from 9am to 2pm on Sundays, with the full bakery counter, "
        "brunch plates and a shorter coffee menu."
    ),
    author=FOUNDER,
    days_ago=3,
    tags=("news", "community"),
    illustration=Illustration(
        "sunday-feature", "storefront", "dusk", "The café's shopfront, its windows lit."
    ),
    body=(
        Paragraph(
            "You asked, many times, and we listened: from this Sunday the Copper Kettle will be open on "
            "Sunday mornings, from 9am until 2pm."
        ),
        Paragraph(
            "The full bakery counter will be there, with sourdough, croissants and cardamom buns baked "
            "that morning. We are also trying something new: a short brunch menu of eggs on toast, a "
            "seasonal tart, and our granola with yoghurt and poached fruit, served until 1pm."
        ),
        Paragraph(
            "To make Sundays possible without running the team ragged, we have taken on two part-time "
            "bakers, whom you will soon meet behind the counter. Thank you for your patience while we "
            "find our new rhythm."
        ),
        CallToAction("All our opening hours", "Plus how to find us and where to park.", "Visit us", VISIT_US),
    ),
    related=("a-day-behind-the-counter",),
)

REUSABLE_CUPS = Article(
    slug="bring-your-own-cup",
    title="Bring your own cup and save 30p",
    summary=(
        "From the first of the month, every hot drink served in a reusable cup costs 30p less. Forgotten "
        "yours? Borrow one of ours."
    ),
    author=FRONT_OF_HOUSE,
    days_ago=27,
    tags=("news", "coffee", "community"),
    illustration=Illustration("reusable-cups-feature", "cup", "apple", "A cup of milky coffee on a saucer."),
    body=(
        Paragraph(
            "Last year we served around sixty thousand takeaway coffees, and even in compostable cups that "
            "is a lot of waste. So from the first of the month we are taking 30p off every hot drink served "
            "in a reusable cup."
        ),
        Paragraph(
            "If you have forgotten yours, borrow one of ours for a \u00a32 deposit, which you get back when "
            "you return it, washed or not. The cups are made in Stoke-on-Trent from recycled material, and "
            "you are welcome to keep yours if you would rather."
        ),
        Paragraph(
            "Bring any clean cup, flask or jar you like. We will fill it to the size you ask for, and we "
            "promise not to judge your choice of mug."
        ),
    ),
    related=("v60-coffee-at-home", "a-year-at-the-saturday-market"),
)

SHORTLISTED = Article(
    slug="shortlisted-riverside-business-awards",
    title="Shortlisted for the Riverside Business Awards",
    summary=(
        "We are one of three cafés shortlisted for Independent Café of the Year at this year's Riverside "
        "Business Awards. Thank you to everyone who nominated us."
    ),
    author=FOUNDER,
    days_ago=63,
    tags=("news", "community"),
    illustration=Illustration("shortlisted-feature", "cake", "berry", "A celebration cake on a stand."),
    body=(
        Paragraph(
            "We were thrilled, and a little astonished, to hear last week that the Copper Kettle has been "
            "shortlisted for Independent Café of the Year at the Riverside Business Awards."
        ),
        Paragraph(
            "The shortlist is decided by public nomination, so this one really is down to you. Thank you "
            "to everyone who took the time to fill in the form, and especially to whoever wrote that our "
            "sourdough \u201chas ruined supermarket bread for the whole family\u201d."
        ),
        Paragraph(
            "The winners will be announced at a ceremony next month. Whatever happens, there will be cake "
            "on the counter the morning after. Come and help us eat it."
        ),
    ),
    related=("a-day-behind-the-counter", "meet-priya-our-head-baker"),
)

SECTIONS = (
    Section(
        slug=JOURNAL,
        title="Journal",
        intro="Recipes, how-tos and stories from the bakery floor and the coffee bar.",
        illustration=Illustration("journal-header", "kettle", "honey", "A copper kettle on a café table."),
        articles=(
            SOURDOUGH,
            V60,
            APPLE_CAKE,
            MEET_PRIYA,
            ESPRESSO,
            CROISSANTS,
            YESTERDAYS_BREAD,
            MARKET,
            COLD_BREW,
            CARDAMOM_BUNS,
            BEHIND_THE_COUNTER,
        ),
    ),
    Section(
        slug="news",
        title="News",
        intro="Opening hours, new bakes and what is happening at the café.",
        illustration=Illustration("news-header", "cup", "copper", "A cup of coffee on a saucer."),
        articles=(SUNDAY_OPENING, REUSABLE_CUPS, SHORTLISTED),
    ),
)

LOYALTY_WEEK = Offer(
    slug=OFFER,
    title="Loyalty week: 2 for 1 pastries",
    summary=(
        "All this week, buy any pastry from the counter and get a second one free. It is our way of "
        "saying thank you to the neighbours who keep us going."
    ),
    price_text="2 for 1",
    valid_for_days=5,
    cta_label="Plan your visit",
    cta_page=VISIT_US,
    terms=(
        "Applies to croissants, pains au chocolat, cardamom and cinnamon buns and Danish pastries. The "
        "free pastry is of equal or lesser value. One offer per customer per visit, in the café or at the "
        "Saturday market stall, while stocks last."
    ),
    illustration=Illustration("loyalty-week-feature", "croissant", "apple", "Two croissants on a plate."),
    body=(
        Paragraph(
            "Every year we set aside a week to thank the people who keep a small bakery going: the "
            "regulars who come in before work, the families on Saturday mornings and everyone who tells a "
            "friend about us."
        ),
        Paragraph(
            "This year, buy any pastry from the counter and we will add a second one, free. Share it, save "
            "it for later or treat yourself to both. No app and no card to stamp: just ask at the till."
        ),
        Heading("What's included"),
        Bullets(
            (
                "Butter croissants and pains au chocolat",
                "Cardamom buns and cinnamon buns",
                "This week's Danish pastries",
            )
        ),
        Picture(
            Illustration("loyalty-week-buns", "bun", "apple", "Knotted cardamom buns on a tray."),
            "Cardamom buns are included, and yes, they go fast.",
        ),
    ),
)

INFO_PAGES = (
    InfoPage(
        slug=ABOUT_US,
        title="About us",
        intro=(
            "A neighbourhood café and bakery on Foundry Lane, baking real bread and pouring good coffee "
            "for nearly a decade."
        ),
        illustration=Illustration(
            "about-feature", "storefront", "dusk", "The café's shopfront on a winter evening."
        ),
        body=(
            Paragraph(
                "The Copper Kettle began with a second-hand deck oven, a borrowed espresso machine and the "
                "kettle that gave us our name: a battered copper one that belonged to our founder Hannah's "
                "grandmother and still sits on the shelf behind the counter."
            ),
            Paragraph(
                "Today we are a team of eleven, baking every loaf, bun and cake on the premises from "
                "scratch and serving coffee roasted a mile away. We still believe what we believed on the "
                "first morning: that a neighbourhood deserves real bread, and a place to sit down with "
                "someone over a cup of something good."
            ),
            Picture(
                Illustration("about-kettle", "kettle", "crust", "Hannah's grandmother's copper kettle."),
                "The kettle itself, retired from duty but still polished every Friday.",
            ),
            Heading("What we care about"),
            Bullets(
                (
                    "Real bread: flour, water, salt and time, with nothing added to hurry it along.",
                    "Coffee bought directly from farms we know, roasted close to home.",
                    "Nothing wasted: spare loaves go on the half-price shelf or to the Riverside food bank.",
                    "A real living wage for everyone on the team.",
                )
            ),
            Quote(
                "We wanted to build the kind of place we would want at the end of our own street.",
                f"{FOUNDER}, founder",
            ),
            CallToAction(
                "Read the journal",
                "Recipes, how-tos and stories from the bakery floor.",
                "Read the journal",
                JOURNAL,
            ),
        ),
    ),
    InfoPage(
        slug=VISIT_US,
        title="Visit us",
        intro=(
            "We are on Foundry Lane in Riverside, five minutes' walk from the station. There is no need to "
            "book: just come in."
        ),
        illustration=Illustration(
            "visit-feature", "storefront", "morning", "The café's shopfront in the morning."
        ),
        body=(
            Heading("Opening hours"),
            Bullets(tuple(f"{days}: {hours}" for days, hours in OPENING_HOURS)),
            Paragraph(
                "Hours can change on bank holidays; we post any changes on the door and here a week ahead."
            ),
            Heading("Where to find us"),
            Paragraph(
                f"{', '.join(ADDRESS_LINES)}. We are the building with the striped awning, opposite the old "
                "ironworks."
            ),
            Heading("Getting here"),
            Paragraph(
                "Riverside station is a five-minute walk away. Buses 24 and 91 stop on Mill Road, at the end "
                "of the lane. There are bike racks outside and short-stay parking on Canal Street."
            ),
            Heading("The garden"),
            Paragraph(
                "Through the back of the café is a small walled garden with six tables, heaters for the "
                "colder months and the herb beds that supply our soups and sandwiches. It is the quietest "
                "seat in the house."
            ),
            Picture(
                Illustration("garden-herbs", "herbs", "sage", "A terracotta pot of fresh herbs."),
                "Rosemary, thyme and sage from the garden beds.",
            ),
            Heading("Accessibility"),
            Paragraph(
                "There is step-free access through the front door, an accessible toilet and plenty of room "
                "for pushchairs and wheelchairs between the tables. Dogs on leads are very welcome, and "
                "there is a water bowl by the door."
            ),
            CallToAction(
                "This week: 2 for 1 pastries", "Bring a friend during loyalty week.", "See the offer", OFFER
            ),
        ),
    ),
)

HOME = Home(
    slug="copper-kettle",
    title="Copper Kettle Coffee & Bakery",
    hero_title="Real bread, good coffee and a table by the window",
    hero_text=(
        "A neighbourhood café and bakery on Foundry Lane. Everything is baked here from scratch each "
        "morning, and the coffee comes from a single farm we know by name."
    ),
    hero_cta_label="Plan your visit",
    hero_cta_page=VISIT_US,
    featured_section=JOURNAL,
    featured_offer=OFFER,
    illustration=Illustration("home-hero", "storefront", "copper", "The Copper Kettle's shopfront."),
    body=(
        Paragraph(
            "Drop in for a flat white and a cardamom bun, pick up a loaf on the way home, or settle in with "
            "a book for the afternoon. Dogs, pushchairs and laptops are all welcome."
        ),
        CallToAction(
            "Nearly a decade on Foundry Lane",
            "How a borrowed espresso machine and a grandmother's kettle became a neighbourhood bakery.",
            "Read our story",
            ABOUT_US,
        ),
    ),
)
