with

source as (
    select * from {{ source('raw_crm', 'contacts') }}
),

renamed as (
    select
        id as crm_contact_id,
        nullif(trim(properties__associatedcompanyid), '') as crm_company_id,
        nullif(trim(properties__email), '') as email,
        nullif(lower(trim(properties__email)), '') as email_normalized,
        properties__firstname as first_name,
        properties__lastname as last_name,
        coalesce(archived, false) as is_archived,
        cast(properties__createdate as timestamp) as created_at,
        cast(properties__lastmodifieddate as timestamp) as modified_at
    from source
),

final as (
    select * from renamed
)

select * from final
