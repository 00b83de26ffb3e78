"""Topic scoring over a taxonomy for international news, each label mapped to IPTC Media Topics.

A lexicon per label: lowercase stems (`militar*` matches military, militarise...) or whole words,
each with a weight. One Aho-Corasick automaton over all of them, built once per process; title hits
count double. Scores are each label's share of all weighted hits, so they sum to 1 over `topics`.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

TITLE_WEIGHT = 2.0
MIN_SCORE = 0.05


@dataclass(frozen=True)
class Topic:
    label: str
    name: str
    iptc: str          # IPTC Media Topic top-level code
    iptc_name: str
    lexicon: tuple[tuple[str, float], ...]


def _lex(text: str, weight: float = 1.0) -> tuple[tuple[str, float], ...]:
    return tuple((term.strip(), weight) for term in text.split(",") if term.strip())


TAXONOMY: tuple[Topic, ...] = (
    Topic("defence", "defence / military", "medtop:11000000", "politics and government (defence)",
          _lex("militar*, defence, defense, armed forces, army, armies, navy, naval, air force, "
               "troops, soldier*, warship*, missile*, weapon*, arms deal*, drill*, exercises, "
               "nuclear arsenal, warhead*, fighter jet*, pentagon, general staff, conscript*, "
               "defence minister*, military coordination, nato, deterrence, submarine*, drone*")
          + _lex("security, strategic, coordination", 0.4)),
    Topic("armed_conflict", "armed conflict", "medtop:16000000", "conflict, war and peace",
          _lex("war, wars, invasion, invaded, airstrike*, air strike*, shelling, offensive, "
               "ceasefire, cease-fire, frontline, front line, killed, casualties, rebels, "
               "insurgen*, militant*, bombard*, attack*, fighting, clashes, hostilities, "
               "occupation, guerrilla*, battle*, truce")
          + _lex("conflict*", 0.6)),
    Topic("diplomacy", "diplomacy / international relations", "medtop:11000000",
          "politics and government (international relations)",
          _lex("diplomat*, embassy, embassies, ambassador*, foreign minister*, foreign ministry, "
               "summit*, bilateral, talks, negotiat*, treaty, treaties, envoy*, sanction*, "
               "state visit, counterpart*, partnership, alliance*, united nations, un security "
               "council, accord, peace plan, peace talks, mediat*, readout, ties, cooperation, "
               "memorandum of understanding, foreign policy, secretary of state")),
    Topic("economy", "trade, economy and finance", "medtop:04000000", "economy, business and finance",
          _lex("econom*, trade, tariff*, export*, import*, gdp, inflation, interest rate*, "
               "central bank, market*, stock*, shares, investor*, investment*, currency, "
               "currencies, bank*, profit*, revenue*, company, companies, firm*, deficit, "
               "budget, debt, bond*, recession, growth, prices, merger*, acquisition*, "
               "earnings, billion, million dollars, supply chain*, manufactur*, shareholder*, "
               "chief executive*, chairman, ceo, boss, bosses, sales, retail*, retailer*, "
               "economist*, analysts, exchange rate*, tax, taxes, taxation, fiscal, privatis*, "
               "privatiz*, airline*, bankrupt*, insolven*, takeover*, unemployment, jobless, "
               "wage*, carmaker*, car maker*, output, consumer*, euro, dollar, dollars, yen, "
               "subsid*, agricultur*, world economic forum, davos, imf, world bank, wto, "
               "business*, industry, industries, commerce, commercial, finance, financial, "
               "spending, borrowing, pension*, mortgage*, housing market, property market")),
    Topic("energy", "energy", "medtop:04000000", "economy, business and finance (energy)",
          _lex("oil, crude, gas, lng, pipeline*, opec, energy, barrel*, refiner*, nuclear power, "
               "power plant*, electricity, grid, coal, renewable*, solar, wind farm*, fuel*")),
    Topic("politics", "domestic politics and elections", "medtop:11000000", "politics and government",
          _lex("election*, elector*, vote*, voting, voters, ballot*, parliament*, campaign*, "
               "opposition, party, parties, prime minister, president*, coalition, lawmaker*, "
               "legislat*, referendum, polls, candidate*, government, cabinet, minister*, "
               "senate, congress*, mp, mps, tory, tories, labour, democrat*, republican*, "
               "chancellor, commons, house of lords, lords, peers, conservative*, lib dem*, "
               "liberal democrat*, manifesto*, home secretary, foreign secretary, shadow, "
               "downing street, whitehall, mayor*, governor*, white house, kremlin, "
               "policy, policies, reform*, bill, bills, ministry, ministries, politic*, "
               "authorities, regime, law, laws, land reform")),
    Topic("crime_law", "crime, law and justice", "medtop:02000000", "crime, law and justice",
          _lex("police, arrest*, court*, judge*, trial, prosecut*, convict*, sentenc*, prison*, "
               "jail*, crime*, criminal*, murder*, fraud, corruption, lawsuit*, verdict, "
               "charged, smuggl*, trafficking, investigat*, extradit*, supreme court")),
    Topic("disaster", "disaster and accident", "medtop:03000000", "disaster, accident and emergency incident",
          _lex("earthquake*, quake*, flood*, hurricane*, typhoon*, cyclone*, tsunami*, wildfire*, "
               "landslide*, eruption*, volcano*, disaster*, rescue*, evacuat*, crash*, "
               "derail*, explosion*, death toll, survivors, relief, emergency")),
    Topic("health", "health", "medtop:07000000", "health",
          _lex("health, hospital*, patient*, disease*, vaccin*, outbreak*, epidemic*, "
               "pandemic*, covid*, cancer, doctor*, nurses, medical, medicine*, drug*, "
               "world health organization, infection*, cholera, malaria, measles, mpox")
          + _lex("virus, viruses", 0.5)),
    Topic("science_technology", "science and technology", "medtop:13000000", "science and technology",
          _lex("technolog*, tech, hi-tech, software, internet, web, website*, online, "
               "artificial intelligence, ai, chip*, semiconductor*, computer*, pc, pcs, laptop*, "
               "digital, cyber*, hack*, hacker*, data, smartphone*, mobile phone*, phones, "
               "handset*, gadget*, device*, telecom*, broadband, wi-fi, wireless, satellite*, "
               "space agency, rocket*, scientist*, research*, researchers, study, app, apps, "
               "robot*, quantum, video game*, computer game*, gamer*, gaming, console*, "
               "playstation, xbox, game developer*, games maker*, games industry, graphics, "
               "nintendo, download*, file-sharing, peer-to-peer, p2p, e-mail*, email*, spam*, "
               "phishing, search engine*, browser*, microsoft, google, apple, ibm, intel, yahoo, "
               "linux, open source, blog*, users, programmer*, computer virus*, anti-virus, "
               "spyware, malware, mp3, ipod*, dvd*, high-definition, hd, pvr*, processor*, "
               "silicon, electronics, consumer electronics, innovation*, engineer*")
          + _lex("video game*, computer game*, gameplay, games console*, console*, "
                 "playstation, xbox, nintendo, handheld*", 2.0)),
    Topic("environment", "environment and climate", "medtop:06000000", "environment",
          _lex("climate, emission*, carbon, greenhouse, warming, pollution, deforestation, "
               "biodiversity, wildlife, conservation, environment*, cop2*, net zero, "
               "glacier*, drought*, species, forests")),
    Topic("sport", "sport", "medtop:15000000", "sport",
          _lex("match*, tournament*, championship*, league, cup, goal*, coach*, striker*, "
               "olympic*, world cup, football, soccer, cricket, tennis, rugby, athlet*, "
               "medal*, stadium*, team*, season, player*, scored, win over, final, fifa, "
               "uefa, grand prix, marathon, squad, club*, penalt*, goalkeeper*, defender*, "
               "midfielder*, referee*, wimbledon, davis cup, six nations, premiership, "
               "champions league, singles, doubles, seed, seeded, golf*, boxing, boxer*, "
               "athletics, sprint*, hurdle*, race, races, racing, champion*, title, rugby union, "
               "manager, flanker, fly-half, winger, test match*, innings, wicket*, "
               "olympics, coach, injury, injured, fitness, victory, defeat*, draw")
          + _lex("game, games", 0.6)),
    Topic("culture", "arts, culture and entertainment", "medtop:01000000",
          "arts, culture, entertainment and media",
          _lex("film, films, filmed, movie*, cinema*, music*, album*, song*, singer*, band, "
               "bands, concert*, festival*, actor*, actress*, film director*, award*, oscar*, "
               "bafta*, grammy*, box office, museum*, exhibition*, artist*, novel, novels, "
               "novelist*, book, books, author*, theatre, theater, comedy, comedian*, drama*, "
               "sitcom*, soap, show, shows, star, stars, starring, starred, celebrit*, "
               "heritage, art, arts, chart*, hit single*, rock, pop, rapper*, hip-hop, "
               "box-office, screenplay*, sequel*, documentar*, musical*, opera*, ballet*, "
               "dancer*, hollywood, bollywood")
          + _lex("tv, television, video, media", 0.5)),
    Topic("society", "society, migration and human rights", "medtop:14000000", "society",
          _lex("migrant*, refugee*, asylum, human rights, protest*, demonstrat*, religio*, "
               "church*, mosque*, minorit*, discriminat*, education, school*, universit*, "
               "poverty, welfare, gender, women's rights, strike*, union*, workers")),
)

TOPICS_BY_LABEL = {t.label: t for t in TAXONOMY}


@dataclass(frozen=True)
class TopicScore:
    label: str
    iptc: str
    score: float


@functools.lru_cache(maxsize=1)
def automaton() -> ahocorasick.Automaton:
    entries: dict[str, list] = defaultdict(list)
    for topic in TAXONOMY:
        for term, weight in topic.lexicon:
            prefix = term.endswith("*")
            entries[term.rstrip("*")].append((topic.label, weight, prefix))
    auto = ahocorasick.Automaton()
    for key, values in entries.items():
        auto.add_word(key, (len(key), tuple(values)))
    auto.make_automaton()
    return auto


def _hits(text: str):
    lowered = text.lower()
    n = len(lowered)
    for end, (length, values) in automaton().iter(lowered):
        start = end - length + 1
        if start > 0 and lowered[start - 1].isalnum():
            continue
        whole = end + 1 >= n or not lowered[end + 1].isalnum()
        for label, weight, prefix in values:
            if prefix or whole:
                yield label, weight


def score_topics(title: str, body: str) -> list[TopicScore]:
    """Labels best first, with scores that sum to 1; empty when no term of any label occurs."""
    weights: dict[str, float] = defaultdict(float)
    for text, factor in ((title or "", TITLE_WEIGHT), (body or "", 1.0)):
        for label, weight in _hits(text):
            weights[label] += weight * factor
    total = sum(weights.values())
    if not total:
        return []
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [TopicScore(label, TOPICS_BY_LABEL[label].iptc, round(w / total, 4))
            for label, w in ranked if w / total >= MIN_SCORE]
