namespace ServerlessLineage.Core.Generation;

/// <summary>The fixed shop vocabulary the generator composes titles and queries from. Order matters for determinism.</summary>
internal static class ShopVocabulary
{
    private static readonly string[] NoSizes = [];
    private static readonly string[] ShoeSizes = ["Size 37", "Size 38", "Size 39", "Size 40", "Size 41", "Size 42", "Size 43", "Size 44", "Size 45"];
    private static readonly string[] ClothingSizes = ["Size XS", "Size S", "Size M", "Size L", "Size XL", "Size XXL"];

    public static IReadOnlyList<string> Colours { get; } =
        ["Black", "White", "Red", "Blue", "Green", "Grey", "Silver", "Pink", "Yellow", "Navy", "Beige", "Brown", "Orange", "Purple"];

    public static IReadOnlyList<string> ModelWords { get; } =
        ["Pro", "Lite", "Max", "Plus", "Air", "Classic", "Sport", "Mini", "Ultra", "Eco", "Prime", "Flex", "Edge", "Nova", "Core"];

    public static IReadOnlyList<CategorySpec> Categories { get; } =
    [
        new("electronics", ["electronics", "gadget", "tech"],
            [
                N("Laptop", ["notebook", "laptop computer"], "13\"", "14\"", "15.6\"", "17\""),
                N("Television", ["tv", "telly", "smart tv"], "43\"", "50\"", "55\"", "65\"", "75\""),
                N("Headphones", ["earphones", "headset", "cans"]),
                N("Smartphone", ["phone", "mobile", "cell phone"]),
                N("Monitor", ["display", "screen"], "24\"", "27\"", "32\""),
                N("Speaker", ["loudspeaker", "soundbox"]),
                N("Tablet", ["pad"], "8\"", "10.9\"", "12.9\""),
                N("Camera", ["digital camera"]),
            ],
            ["Voltra", "Nexon", "Auralis", "Pixelon", "Kestrel", "Zentek"],
            [], ["Wireless", "Bluetooth", "4K", "Noise-Cancelling", "Portable", "Smart"],
            true, 320, 0.7, []),
        new("shoes", ["shoes", "footwear"],
            [
                N("Sneakers", ["trainers", "kicks"], ShoeSizes),
                N("Boots", ["booties"], ShoeSizes),
                N("Sandals", ["flip flops"], ShoeSizes),
                N("Loafers", ["slip ons"], ShoeSizes),
                N("Running Shoes", ["runners", "jogging shoes"], ShoeSizes),
                N("Heels", ["pumps", "stilettos"], ShoeSizes),
            ],
            ["Stridex", "Pacelane", "Hoofwear", "Trailborn", "Solemate"],
            ["Leather", "Suede", "Canvas", "Mesh", "Vegan Leather"], ["Waterproof", "Lightweight", "Cushioned", "Casual"],
            true, 85, 0.5, []),
        new("kitchen", ["kitchen", "cookware"],
            [
                N("Frying Pan", ["skillet", "fry pan"], "20 cm", "24 cm", "28 cm"),
                N("Saucepan", ["pot", "sauce pan"], "16 cm", "18 cm", "20 cm"),
                N("Knife Set", ["knives", "chef knives"]),
                N("Blender", ["mixer", "smoothie maker"]),
                N("Kettle", ["electric kettle", "water boiler"]),
                N("Toaster", ["toaster oven"]),
                N("Coffee Maker", ["coffee machine", "espresso machine"]),
                N("Cutting Board", ["chopping board"]),
            ],
            ["Cucina", "Ferro", "Hearthly", "Gastrono", "Panfield"],
            ["Stainless Steel", "Cast Iron", "Ceramic", "Bamboo", "Aluminium"], ["Non-Stick", "Induction", "Compact", "Professional"],
            true, 45, 0.6, []),
        new("books", ["books", "book", "reading"],
            [
                N("Novel", ["fiction", "story book"]),
                N("Cookbook", ["recipe book", "cook book"]),
                N("Biography", ["memoir", "life story"]),
                N("Atlas", ["map book", "world atlas"]),
                N("Picture Book", ["kids book", "children's book"]),
                N("Thriller", ["mystery novel", "crime novel"]),
            ],
            ["Larkspur Press", "Quillhouse", "Inkwell", "Parchment & Co", "Northlight"],
            ["Hardcover", "Paperback"], ["Illustrated", "Bestselling", "Annotated", "Collector's"],
            false, 18, 0.4,
            ["The Silent Harbour", "Salt and Smoke", "A Year in the Garden", "The Last Lighthouse", "Rivers of Glass",
             "Midnight at the Station", "The Baker's Daughter", "Cold Mountain Roads", "Small Kitchens, Big Flavour",
             "The Cartographer", "Letters from \"Home\"", "Into the Green"]),
        new("toys", ["toys", "toy", "kids"],
            [
                N("Building Blocks", ["bricks", "construction set"]),
                N("Jigsaw Puzzle", ["puzzle", "jigsaw"], "500 Pieces", "1000 Pieces"),
                N("Teddy Bear", ["plush bear", "soft toy"]),
                N("Toy Car", ["model car", "racing car"]),
                N("Doll", ["baby doll"]),
                N("Board Game", ["family game", "tabletop game"]),
            ],
            ["Playnook", "Tinkerly", "Bramble Toys", "Wonderkin"],
            ["Wooden", "Plastic", "Plush"], ["Educational", "Classic", "Deluxe", "Travel"],
            true, 25, 0.55, []),
        new("garden", ["garden", "outdoor", "gardening"],
            [
                N("Garden Hose", ["hose", "hosepipe"], "15 m", "25 m", "30 m"),
                N("Lawn Mower", ["mower", "grass cutter"]),
                N("Planter", ["flower pot", "plant pot"]),
                N("Spade", ["shovel"]),
                N("Patio Chair", ["garden chair", "outdoor chair"]),
                N("Watering Can", ["watering pot"]),
            ],
            ["Greenfold", "Rootwell", "Mossby", "Fernhill"],
            ["Steel", "Terracotta", "Rattan", "Teak", "Resin"], ["Foldable", "Cordless", "Weatherproof", "Heavy-Duty"],
            true, 55, 0.75, []),
        new("beauty", ["beauty", "cosmetics", "makeup"],
            [
                N("Lipstick", ["lip colour", "lip stick"]),
                N("Moisturizer", ["moisturiser", "face cream"], "50 ml", "100 ml"),
                N("Shampoo", ["hair wash"], "250 ml", "500 ml"),
                N("Perfume", ["fragrance", "eau de parfum"], "30 ml", "50 ml", "100 ml"),
                N("Nail Polish", ["nail varnish", "nail lacquer"]),
                N("Hair Dryer", ["blow dryer", "hairdryer"]),
            ],
            ["Lumiere", "Velvetine", "Purelle", "Aurora Skin"],
            [], ["Organic", "Matte", "Hydrating", "Fragrance-Free", "Long-Lasting"],
            true, 22, 0.6, []),
        new("sports", ["sports", "fitness", "sport"],
            [
                N("Yoga Mat", ["exercise mat", "fitness mat"]),
                N("Dumbbell", ["weights", "hand weight"], "2 kg", "5 kg", "10 kg"),
                N("Football", ["soccer ball", "ball"]),
                N("Tennis Racket", ["racquet", "tennis racquet"]),
                N("Bicycle", ["bike", "cycle"]),
                N("Water Bottle", ["drinks bottle", "sports bottle"], "500 ml", "750 ml", "1 l"),
            ],
            ["Velocore", "Summitra", "Kinetix", "Apexa"],
            ["Rubber", "Carbon", "Aluminium", "Neoprene"], ["Training", "Competition", "Non-Slip", "Insulated"],
            true, 40, 0.8, []),
        new("furniture", ["furniture", "living room"],
            [
                N("Sofa", ["couch", "settee"], "2-Seater", "3-Seater"),
                N("Armchair", ["lounge chair", "easy chair"]),
                N("Dining Table", ["kitchen table", "table"]),
                N("Bookshelf", ["bookcase", "shelving unit"]),
                N("Office Chair", ["desk chair", "swivel chair"]),
                N("Bed Frame", ["bed", "bedstead"], "Single", "Double", "King"),
            ],
            ["Nordholm", "Oakridge", "Casaluna", "Linden & Vale"],
            ["Oak", "Walnut", "Velvet", "Linen", "Metal"], ["Modern", "Scandinavian", "Ergonomic", "Vintage"],
            true, 280, 0.6, []),
        new("clothing", ["clothing", "clothes", "fashion"],
            [
                N("T-Shirt", ["tee", "tshirt"], ClothingSizes),
                N("Jeans", ["denim", "denim jeans"], ClothingSizes),
                N("Hoodie", ["sweatshirt", "hooded top"], ClothingSizes),
                N("Jacket", ["coat"], ClothingSizes),
                N("Dress", ["gown"], ClothingSizes),
                N("Sweater", ["jumper", "pullover"], ClothingSizes),
            ],
            ["Threadline", "Urbanne", "Cottonfield", "Marlowe"],
            ["Cotton", "Wool", "Linen", "Denim", "Cashmere"], ["Slim-Fit", "Oversized", "Relaxed", "Organic"],
            true, 45, 0.55, []),
        new("home", ["home", "decor", "home decor"],
            [
                N("Table Lamp", ["lamp", "desk lamp"]),
                N("Rug", ["carpet", "area rug"], "120x170 cm", "160x230 cm"),
                N("Curtains", ["drapes"], "140x245 cm"),
                N("Cushion", ["pillow", "throw pillow"]),
                N("Duvet", ["comforter", "quilt"], "Single", "Double", "King"),
                N("Wall Mirror", ["mirror"]),
            ],
            ["Hearth & Home", "Lumen", "Softnest", "Dwellwise"],
            ["Cotton", "Glass", "Ceramic", "Jute", "Velvet"], ["Blackout", "Handmade", "Minimalist", "Cosy"],
            true, 38, 0.6, []),
        new("pets", ["pets", "pet supplies", "pet"],
            [
                N("Dog Bed", ["dog cushion", "dog basket"], "Size S", "Size M", "Size L"),
                N("Cat Tree", ["cat tower", "scratching post"]),
                N("Dog Leash", ["dog lead", "leash"]),
                N("Pet Bowl", ["food bowl", "water bowl"]),
                N("Cat Litter", ["litter"], "5 l", "10 l"),
                N("Chew Toy", ["dog toy"]),
            ],
            ["Pawsome", "Whiskerly", "Barkwell", "Tailor Pets"],
            ["Nylon", "Rubber", "Stainless Steel", "Sisal"], ["Orthopedic", "Durable", "Washable", "Reflective"],
            true, 24, 0.65, []),
    ];

    private static NounSpec N(string name, string[] synonyms, params string[] sizes) =>
        new(name, synonyms, sizes.Length == 0 ? NoSizes : sizes);
}
