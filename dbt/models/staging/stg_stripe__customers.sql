with

source as (
    select * from {{ source('raw_stripe', 'customers') }}
),

renamed as (
    select
        account as stripe_account,
        id as stripe_customer_id,
        nullif(trim(name), '') as customer_name,
        nullif(trim(email), '') as email,
        nullif(lower(trim(email)), '') as email_normalized,
        nullif(trim(metadata__hubspot_company_id), '') as crm_company_id,
        currency,
        coalesce(deleted, false) as is_deleted,
        to_timestamp(created) as created_at
    from source
),

final as (
    select * from renamed
)

select * from final
