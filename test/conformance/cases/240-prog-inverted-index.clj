(require '[clojure.string :as str])
(def docs {1 "the cat sat" 2 "the dog sat down" 3 "a cat and a dog"})
(def index (reduce (fn [idx [id text]]
                     (reduce #(update %1 %2 (fnil conj #{}) id) idx (str/split text #" ")))
                   {} docs))
(prn (sort (index "cat")) (sort (index "sat")) (index "bird"))
(defn search [& words] (sort (reduce (fn [acc w] (filter (set (index w)) acc)) (keys docs) words)))
(prn (search "the" "sat") (search "dog") (search "cat" "dog"))
